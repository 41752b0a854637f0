// init_refuses: the wasm fixture of policytest scenario "init_refuses" (testdata/init_refuses.lua is the
// reference): init refuses a configuration without "required", so the plugin does not load.
import { InitInput, Kind, ScopePolicyInput, ScopePolicyOutput, respond, respondEmpty, respondError } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

export function assentry_init(ptr: usize, len: i32): i64 {
  const required = new InitInput(ptr, len).config.get("required");
  if (required.kind == Kind.Missing || required.kind == Kind.Null) {
    return respondError("bad_config", "config.required is missing");
  }
  return respondEmpty();
}

export function assentry_scope_policy(ptr: usize, len: i32): i64 {
  return respond(new ScopePolicyOutput(new ScopePolicyInput(ptr, len).grantedScopes).json());
}
