// Assentry policy SDK for AssemblyScript: the ABI plumbing, a small JSON codec and the hooks' inputs and
// decisions. See ../README.md.
export * from "./abi";
export * from "./json";
export * from "./hooks";
export * from "./url";
