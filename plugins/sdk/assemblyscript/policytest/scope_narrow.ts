// scope_narrow: the wasm fixture of policytest scenario "scope_narrow" (policy/policytest/testdata/scope_narrow.lua
// is the reference; also the benchmark's realistic policy): drops forbidden scopes and scopes needing a role the
// user lacks, and silently drops scopes that are not plain tokens.
import { InitInput, ScopePolicyInput, ScopePolicyOutput, has, respond, respondEmpty } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let forbidden: string[] = [];
let needScopes: string[] = [];
let needRoles: string[] = [];

export function assentry_init(ptr: usize, len: i32): i64 {
  const cfg = new InitInput(ptr, len).config;
  forbidden = cfg.get("forbidden").strings();
  const req = cfg.get("require_role");
  const keys = req.keys;
  if (keys != null) {
    for (let i = 0; i < keys.length; i++) {
      needScopes.push(keys[i]);
      needRoles.push(req.values![i].str());
    }
  }
  return respondEmpty();
}

// Lua's ^[%w_:%.%-]+$: ASCII letters and digits, _ : . -
function plainToken(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c == 0x5f || c == 0x3a || c == 0x2e || c == 0x2d;
    if (!ok) return false;
  }
  return true;
}

export function assentry_scope_policy(ptr: usize, len: i32): i64 {
  const req = new ScopePolicyInput(ptr, len);
  const user = req.user;
  const roles = user != null ? user.roles : new Array<string>();
  const granted = new Array<string>();
  const out = new ScopePolicyOutput(granted);
  const scopes = req.grantedScopes;
  for (let i = 0; i < scopes.length; i++) {
    const s = scopes[i];
    const need = needScopes.indexOf(s);
    if (has(forbidden, s)) out.deny(s, "forbidden");
    else if (need >= 0 && !has(roles, needRoles[need])) out.deny(s, "needs role " + needRoles[need]);
    else if (plainToken(s)) granted.push(s);
  }
  return respond(out.json());
}
