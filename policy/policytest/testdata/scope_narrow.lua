-- scope_policy: drop forbidden scopes and scopes needing a role the user lacks (a realistic policy; also the
-- benchmark's).
local forbidden, needs = {}, {}

return {
  abi = 1,
  init = function(config)
    for _, s in ipairs(config.forbidden or {}) do forbidden[s] = true end
    for scope, role in pairs(config.require_role or {}) do needs[scope] = role end
  end,
  scope_policy = function(req)
    local roles = {}
    for _, r in ipairs(req.user and req.user.roles or {}) do roles[r] = true end
    local granted, denied = {}, {}
    for _, s in ipairs(req.granted_scopes) do
      if forbidden[s] then
        denied[#denied + 1] = {scope = s, reason = "forbidden"}
      elseif needs[s] and not roles[needs[s]] then
        denied[#denied + 1] = {scope = s, reason = "needs role " .. needs[s]}
      elseif s:match("^[%w_:%.%-]+$") then
        granted[#granted + 1] = s
      end
    end
    return {granted_scopes = granted, denied = denied}
  end,
}
