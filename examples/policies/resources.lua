-- resources.lua: an example scope_policy over resource indicators (RFC 8707). The resources listed under
-- staff_only go only to members of the group staff: for anyone else (and for a client acting for itself, which
-- has no user) they are taken out of the request's resources; a request left with none is refused with
-- invalid_target. Scopes are left as they are. The same policy in Go is resources-go/ (the same cases).
--
--   config:
--     staff_only: ["https://calendar.example.com/"]
local staff_only = {}

return {abi = 1,
  init = function(config)
    for _, r in ipairs(config.staff_only or {}) do staff_only[r] = true end
  end,
  scope_policy = function(req)
    local staff = false
    for _, g in ipairs((req.user or {}).groups or {}) do staff = staff or g == "staff" end
    local keep = {}
    for _, r in ipairs(req.resource or {}) do
      if staff or not staff_only[r] then keep[#keep + 1] = r end
    end
    return {granted_scopes = req.granted_scopes, granted_resources = keep}
  end,
}
