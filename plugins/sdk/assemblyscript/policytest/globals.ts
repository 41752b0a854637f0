// globals: the wasm fixture of policytest scenario "globals" (testdata/globals.lua is the reference).
//
// What init computes lives in module globals and every call sees it. Each call also writes module globals (a
// call counter, in a wasm global, and the last caller's sub, a string in linear memory) and reports what an
// earlier call left in them. The suite loads it with isolation (isolate_calls), under which every call starts
// from the state after init: the counter is always 1 and nothing leaks. Without isolation a pooled instance
// keeps both from one call to the next (policy/wasm's tests show it).
import { ClaimsInput, ClaimsOutput, InitInput, respond, respondEmpty } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let greeting = "";
let counter = 0;
let seenSub: string | null = null;

export function assentry_init(ptr: usize, len: i32): i64 {
  greeting = "hello " + new InitInput(ptr, len).config.get("name").str();
  return respondEmpty();
}

export function assentry_claims(ptr: usize, len: i32): i64 {
  const req = new ClaimsInput(ptr, len);
  const out = new ClaimsOutput();
  counter++;
  out.claim("greeting").string(greeting);
  out.claim("calls").int(counter);
  const seen = seenSub;
  if (seen != null) out.claim("leaked").string(seen);
  seenSub = req.user.sub;
  return respond(out.json());
}
