// alloc_unbounded: the wasm fixture of policytest scenario "alloc_unbounded" (testdata/alloc_unbounded.lua is the
// reference): allocates without bound, 64 KiB at a time, all kept reachable; stopped by the memory page cap (the
// allocator's memory.grow is refused, it traps, and the host reports out_of_memory).
import { ScopePolicyOutput, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

export function assentry_scope_policy(ptr: usize, len: i32): i64 {
  const kept = new Array<ArrayBuffer>();
  while (true) kept.push(new ArrayBuffer(1 << 16));
  return respond(new ScopePolicyOutput([kept.length.toString()]).json());
}
