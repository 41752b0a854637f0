// oversized_output: the wasm fixture of policytest scenario "oversized_output" (testdata/oversized_output.lua is
// the reference): an answer over max_output_bytes (64 KiB by default).
import { ClaimsOutput, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

export function assentry_claims(ptr: usize, len: i32): i64 {
  const out = new ClaimsOutput();
  out.claim("blob").string("x".repeat(100000));
  return respond(out.json());
}
