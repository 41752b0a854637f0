// consent_timeout: the wasm fixture of policytest scenario "consent_timeout" (testdata/consent_timeout.lua is the
// reference): a consent policy that never answers. on_error ask gives ask, fail_closed an error; never approve.
import { APPROVE, ConsentOutput, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let spins: i64 = 0;

export function assentry_consent(ptr: usize, len: i32): i64 {
  while (spins >= 0) spins++; // never false: an infinite loop the optimizer cannot remove
  return respond(new ConsentOutput(APPROVE).json());
}
