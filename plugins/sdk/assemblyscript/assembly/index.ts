// Assentry policy SDK for AssemblyScript: the ABI plumbing (docs/policy-abi.md, "WebAssembly binding"), a small
// JSON codec and the hooks' inputs and decisions (docs/policy-abi.md, "Hooks"). See ../README.md.
export * from "./abi";
export * from "./json";
export * from "./hooks";
export * from "./url";
