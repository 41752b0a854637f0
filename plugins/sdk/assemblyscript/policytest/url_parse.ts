// url_parse: the wasm fixture of policytest scenario "url_parse" (testdata/url_parse.lua is the reference): what
// parseURL makes of the client's client_uri, as the claim "u" (the parts it has) or "err" (the refusal).
import { ClaimsInput, ClaimsOutput, parseURL, respond } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

export function assentry_claims(ptr: usize, len: i32): i64 {
  const req = new ClaimsInput(ptr, len);
  const u = parseURL(req.client.clientURI);
  const out = new ClaimsOutput();
  if (u.error.length > 0) {
    out.claim("err").string(u.error);
    return respond(out.json());
  }
  const w = out.claim("u").beginObject();
  if (u.scheme.length > 0) w.key("scheme").string(u.scheme);
  if (u.userinfo.length > 0) w.key("userinfo").string(u.userinfo);
  if (u.host.length > 0) w.key("host").string(u.host);
  if (u.port > 0) w.key("port").int(u.port);
  if (u.path.length > 0) w.key("path").string(u.path);
  if (u.query.length > 0) w.key("query").string(u.query);
  if (u.fragment.length > 0) w.key("fragment").string(u.fragment);
  w.endObject();
  return respond(out.json());
}
