// An example consent policy written in AssemblyScript (the same policy as ../consent-go, with the same decisions
// on ../testdata/consent-cases.json):
//
//  - a consent the user already gave is approved again, unless the client now asks for offline_access;
//  - otherwise the user is asked, and the page gets the configured scope descriptions, a notice when the client
//    wants offline access, and the client's own template when one is configured (per-client branding).
//
//   config:
//     descriptions: {payments: "Make payments on your behalf"}
//     templates: {partner-app: consent-partner}        # client_id -> a template of the active theme
//
// Build (from plugins/sdk/assemblyscript, after npm ci):
//   npx asc ../../../examples/policies/consent-assemblyscript/consent.ts -o consent.wasm \
//     --optimizeLevel 3 --shrinkLevel 1 --runtime incremental --exportStart _initialize
import {
  APPROVE, ASK, ConsentInput, ConsentOutput, InitInput, Value, respond, respondEmpty,
} from "../../../plugins/sdk/assemblyscript/assembly/index";

export { assentry_abi_version, assentry_alloc, assentry_free } from "../../../plugins/sdk/assemblyscript/assembly/index";

let descriptions: Value = new Value();
let templates: Value = new Value();

export function assentry_init(ptr: usize, len: i32): i64 {
  const cfg = new InitInput(ptr, len).config;
  descriptions = cfg.get("descriptions");
  templates = cfg.get("templates");
  return respondEmpty();
}

export function assentry_consent(ptr: usize, len: i32): i64 {
  const req = new ConsentInput(ptr, len);
  const offline = req.requests("offline_access");
  if (req.previouslyConsented && !offline) {
    const out = new ConsentOutput(APPROVE);
    out.remember = 1;
    return respond(out.json());
  }
  const out = new ConsentOutput(ASK);
  const client = req.client;
  out.template = templates.get(client.clientID).str();
  const scopes = req.requestedScopes;
  for (let i = 0; i < scopes.length; i++) {
    const s = scopes[i];
    const d = descriptions.get(s);
    if (d.exists()) out.describe(s, d.str());
  }
  if (offline) {
    const clientName = client.clientName;
    const name = clientName.length > 0 ? clientName : client.clientID;
    out.notices.push(name + " will keep access to your account until you revoke it.");
  }
  return respond(out.json());
}
