// claims_extra: the wasm fixture of policytest scenario "claims_extra" (testdata/claims_extra.lua is the
// reference): department from config, the user's groups, an empty object and a number.
import { ClaimsInput, ClaimsOutput, InitInput, respond, respondEmpty } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let department = "";

export function assentry_init(ptr: usize, len: i32): i64 {
  department = new InitInput(ptr, len).config.get("department").str();
  return respondEmpty();
}

export function assentry_claims(ptr: usize, len: i32): i64 {
  const req = new ClaimsInput(ptr, len);
  const out = new ClaimsOutput();
  if (req.target == "id_token") {
    out.claim("department").string(department);
    out.claim("groups").strings(req.user.groups);
    out.claim("preferences").beginObject().endObject();
    out.claim("level").int(3);
  }
  return respond(out.json());
}
