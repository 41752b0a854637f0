// roles_from_groups: the wasm fixture of policytest scenario "roles_from_groups" (testdata/roles_from_groups.lua is
// the reference): adds the roles config.groups gives to the user's groups; exposes the groups as a claim when there
// are any.
import { InitInput, MapRolesInput, MapRolesOutput, Value, has, respond, respondEmpty } from "../assembly/index";
export { assentry_abi_version, assentry_alloc, assentry_free } from "../assembly/index";

let byGroup: Value = new Value();

export function assentry_init(ptr: usize, len: i32): i64 {
  byGroup = new InitInput(ptr, len).config.get("groups");
  return respondEmpty();
}

export function assentry_map_roles(ptr: usize, len: i32): i64 {
  const req = new MapRolesInput(ptr, len);
  const roles = new Array<string>();
  const given = req.roles;
  for (let i = 0; i < given.length; i++) if (!has(roles, given[i])) roles.push(given[i]);
  const groups = req.user.groups;
  for (let i = 0; i < groups.length; i++) {
    const add = byGroup.get(groups[i]).strings();
    for (let j = 0; j < add.length; j++) if (!has(roles, add[j])) roles.push(add[j]);
  }
  const out = new MapRolesOutput(roles);
  if (groups.length > 0) out.claim("groups").strings(groups);
  return respond(out.json());
}
