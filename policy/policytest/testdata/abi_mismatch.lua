-- A plugin written for another ABI version does not load.
return {
  abi = 2,
  scope_policy = function(req) return {granted_scopes = req.granted_scopes} end,
}
