-- roles-from-groups: give users roles according to their directory groups (map_roles).
--
-- config:
--   groups: {"staff": ["editor"], "ops": ["admin", "editor"]}   group → roles it grants (required)
--   exclusive: false      true: the user's roles are only those their groups grant (plus keep), instead of
--                         the roles they have plus those their groups grant
--   keep: ["user"]        with exclusive, roles always kept when the user has them
--   claim: "groups"       also put the user's groups in this claim (optional)
--
-- The host adds only roles of its catalogue (`roles.names`); others are dropped and logged.

local by_group, exclusive, keep, claim = {}, false, {}, nil

return {
  abi = 1,
  init = function(config)
    if type(config.groups) ~= "table" then
      return {error = {code = "bad_config", description = "groups: a map of group to roles is required"}}
    end
    for group, roles in pairs(config.groups) do
      if type(roles) ~= "table" then
        return {error = {code = "bad_config", description = "groups." .. group .. ": a list of roles is required"}}
      end
      by_group[group] = roles
    end
    exclusive = config.exclusive == true
    for _, r in ipairs(config.keep or {}) do keep[r] = true end
    claim = config.claim
  end,
  map_roles = function(req)
    local roles, seen = {}, {}
    local function add(r)
      if not seen[r] then roles[#roles + 1], seen[r] = r, true end
    end
    for _, r in ipairs(req.roles or {}) do
      if not exclusive or keep[r] then add(r) end
    end
    local groups = req.user.groups or {}
    for _, g in ipairs(groups) do
      for _, r in ipairs(by_group[g] or {}) do add(r) end
    end
    if claim and #groups > 0 then
      return {roles = roles, claims = {[claim] = groups}}
    end
    return {roles = roles}
  end,
}
