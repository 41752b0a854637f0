// json_null: the wasm fixture of policytest scenario "json_null" (testdata/json_null.lua is the reference): a
// null in the input is told from an absent member, and a null in a metadata_patch removes the member (tos_uri).
import { ACCEPT, Kind, ValidateRegistrationInput, ValidateRegistrationOutput, field, kindOf, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

export function assentry_validate_registration(ptr: usize, len: i32): i64 {
  const req = new ValidateRegistrationInput(ptr, len);
  const metadata = req.metadata;
  const out = new ValidateRegistrationOutput(ACCEPT);
  out.patchField("tos_uri").null();
  out.patchField("policy_uri_was_null").bool(kindOf(field(metadata, "policy_uri")) == Kind.Null);
  out.patchField("client_name_was_null").bool(kindOf(field(metadata, "client_name")) == Kind.Null);
  return respond(out.json());
}
