// huge_string: the wasm fixture of policytest scenario "huge_string" (testdata/huge_string.lua is the reference):
// one huge allocation in a single builtin. AssemblyScript's String#repeat checks the length first and throws
// (env.abort: a trap); had it tried, the page cap would have refused the memory.
import { ScopePolicyOutput, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

export function assentry_scope_policy(ptr: usize, len: i32): i64 {
  return respond(new ScopePolicyOutput(["x".repeat(1 << 30)]).json());
}
