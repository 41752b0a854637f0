-- map_roles: add the roles that config.groups gives to the user's groups; expose the groups as a claim when
-- there are any.
local by_group

return {
  abi = 1,
  init = function(config) by_group = config.groups or {} end,
  map_roles = function(req)
    local roles, seen = {}, {}
    for _, r in ipairs(req.roles) do
      if not seen[r] then roles[#roles + 1], seen[r] = r, true end
    end
    for _, g in ipairs(req.user.groups or {}) do
      for _, r in ipairs(by_group[g] or {}) do
        if not seen[r] then roles[#roles + 1], seen[r] = r, true end
      end
    end
    if #(req.user.groups or {}) == 0 then return {roles = roles} end
    return {roles = roles, claims = {groups = req.user.groups}}
  end,
}
