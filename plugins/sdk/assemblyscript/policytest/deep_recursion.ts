// deep_recursion: the wasm fixture of policytest scenario "deep_recursion" (testdata/deep_recursion.lua is the
// reference): recursion without end, stopped by wazero's call-stack ceiling (a trap).
import { ScopePolicyOutput, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

function down(n: i32): i32 {
  return 1 + down(n + 1);
}

export function assentry_scope_policy(ptr: usize, len: i32): i64 {
  return respond(new ScopePolicyOutput([down(1).toString()]).json());
}
