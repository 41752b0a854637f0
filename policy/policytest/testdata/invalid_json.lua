-- Hostile: an answer that cannot be converted to JSON.
return {
  abi = 1,
  scope_policy = function(req) return {granted_scopes = {function() end}} end,
}
