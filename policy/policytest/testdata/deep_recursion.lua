-- Hostile: recursion without end; stopped by the call-stack cap.
local function down(n) return 1 + down(n + 1) end

return {
  abi = 1,
  scope_policy = function(req) return {granted_scopes = {tostring(down(1))}} end,
}
