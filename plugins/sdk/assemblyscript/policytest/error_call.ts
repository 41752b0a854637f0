// error_call: the wasm fixture of policytest scenario "error_call" (testdata/error_call.lua is the reference): the
// plugin raises an error. AssemblyScript's throw calls env.abort, which the host logs and turns into a trap.
import { ScopePolicyOutput, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

export function assentry_scope_policy(ptr: usize, len: i32): i64 {
  if (len >= 0) throw new Error("policy exploded");
  return respond(new ScopePolicyOutput([]).json());
}
