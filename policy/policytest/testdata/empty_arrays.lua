-- scope_policy: every scope denied. An empty table where the decision has an array must become [].
return {
  abi = 1,
  scope_policy = function(req) return {granted_scopes = {}, denied = {}} end,
}
