// first-party-consent: approves the consent step for the operator's own (first-party) clients, so their users
// are not asked to consent to the operator's own applications, and otherwise keeps the usual rule (a consent
// already given is remembered, anything else is asked).
//
// Config:
//   client_ids:        ["portal", "admin-console"]   clients approved by id
//   client_uri_hosts:  ["example.com"]               clients whose client_uri is on one of these hosts or their
//                                                    subdomains (use only when registration is closed: with
//                                                    open registration anyone may claim a client_uri)
//
// Bind it with the built-in consent policy switched off (builtin_policy: {consent: false}): consent answers
// combine deny > ask > approve, so the built-in "ask" for a first consent would win over this approve.
// prompt=consent still asks (the host turns approve into ask).
import {
  APPROVE, ASK, ConsentInput, ConsentOutput, InitInput, has, respond, respondEmpty, respondError, urlHost,
} from "../sdk/assemblyscript/assembly/index";

export { assentry_abi_version, assentry_alloc, assentry_free } from "../sdk/assemblyscript/assembly/index";

let clientIDs: string[] = [];
let hosts: string[] = [];

export function assentry_init(ptr: usize, len: i32): i64 {
  const cfg = new InitInput(ptr, len).config;
  clientIDs = cfg.get("client_ids").strings();
  hosts = cfg.get("client_uri_hosts").strings();
  for (let i = 0; i < hosts.length; i++) hosts[i] = hosts[i].toLowerCase();
  if (clientIDs.length == 0 && hosts.length == 0) {
    return respondError("invalid_config", "first-party-consent needs client_ids or client_uri_hosts");
  }
  return respondEmpty();
}

function firstParty(clientID: string, clientURI: string): bool {
  if (has(clientIDs, clientID)) return true;
  const host = urlHost(clientURI);
  if (host.length == 0) return false;
  for (let i = 0; i < hosts.length; i++) {
    if (host == hosts[i] || host.endsWith("." + hosts[i])) return true;
  }
  return false;
}

export function assentry_consent(ptr: usize, len: i32): i64 {
  const req = new ConsentInput(ptr, len);
  const client = req.client;
  if (firstParty(client.clientID, client.clientURI)) {
    const out = new ConsentOutput(APPROVE);
    out.remember = 0; // nothing to remember: it is approved every time
    return respond(out.json());
  }
  if (req.previouslyConsented) return respond(new ConsentOutput(APPROVE).json());
  return respond(new ConsentOutput(ASK).json());
}
