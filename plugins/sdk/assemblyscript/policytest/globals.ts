// globals: the wasm fixture of policytest scenario "globals" (testdata/globals.lua is the reference).
//
// What init computes lives in module globals and every call sees it. A wasm instance keeps its memory and globals
// from one call to the next (the engine pools initialised instances per host and plugin version, and does not reset
// them: that would cost a copy of the whole memory per call), so, unlike a Lua plugin whose per-call globals the
// sandbox discards, a wasm plugin keeps per-request data in locals, as here: nothing of one call reaches the next.
import { ClaimsInput, ClaimsOutput, InitInput, respond, respondEmpty } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let greeting = "";

export function assentry_init(ptr: usize, len: i32): i64 {
  greeting = "hello " + new InitInput(ptr, len).config.get("name").str();
  return respondEmpty();
}

export function assentry_claims(ptr: usize, len: i32): i64 {
  const req = new ClaimsInput(ptr, len);
  const calls = 1; // per call: a local, not a module global
  const out = new ClaimsOutput();
  out.claim("greeting").string(greeting);
  out.claim("calls").int(calls);
  if (req.user.sub.length == 0) out.claim("leaked").string("never");
  return respond(out.json());
}
