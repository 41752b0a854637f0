// consent_first_party: the wasm fixture of policytest scenario "consent_first_party"
// (testdata/consent_first_party.lua is the reference): approves first-party clients; asks for the others, with a
// notice and scope descriptions.
import { APPROVE, ASK, ConsentInput, ConsentOutput, InitInput, has, respond, respondEmpty } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let first: string[] = [];

export function assentry_init(ptr: usize, len: i32): i64 {
  first = new InitInput(ptr, len).config.get("first_party").strings();
  return respondEmpty();
}

export function assentry_consent(ptr: usize, len: i32): i64 {
  const client = new ConsentInput(ptr, len).client;
  if (has(first, client.clientID)) {
    const out = new ConsentOutput(APPROVE);
    out.remember = 1;
    return respond(out.json());
  }
  const out = new ConsentOutput(ASK);
  out.notices.push(client.clientName + " is not operated by us.");
  out.describe("profile", "Your name and picture");
  return respond(out.json());
}
