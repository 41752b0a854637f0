// registration_rules: the wasm fixture of policytest scenario "registration_rules"
// (testdata/registration_rules.lua is the reference): client_uri must be on an allowed domain; accepted clients get
// a marked name.
import { ACCEPT, InitInput, REJECT, ValidateRegistrationInput, ValidateRegistrationOutput, field, respond, respondEmpty, str } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let allowed: string[] = [];

export function assentry_init(ptr: usize, len: i32): i64 {
  allowed = new InitInput(ptr, len).config.get("allowed_domains").strings();
  return respondEmpty();
}

// Lua's ^https://([^/:]+): the characters after the scheme up to '/' or ':'.
function httpsHost(uri: string): string {
  if (!uri.startsWith("https://")) return "";
  let end = 8;
  while (end < uri.length && uri.charCodeAt(end) != 0x2f && uri.charCodeAt(end) != 0x3a) end++;
  return uri.substring(8, end);
}

export function assentry_validate_registration(ptr: usize, len: i32): i64 {
  const req = new ValidateRegistrationInput(ptr, len);
  const metadata = req.metadata;
  const host = httpsHost(str(field(metadata, "client_uri")));
  for (let i = 0; i < allowed.length; i++) {
    const d = allowed[i];
    if (host.length > 0 && (host == d || host.endsWith("." + d))) {
      const out = new ValidateRegistrationOutput(ACCEPT);
      out.patchField("client_name").string(str(field(metadata, "client_name")) + " (verified)");
      return respond(out.json());
    }
  }
  const out = new ValidateRegistrationOutput(REJECT);
  out.error = "invalid_client_metadata";
  out.errorDescription = "client_uri must be on an allowed domain";
  return respond(out.json());
}
