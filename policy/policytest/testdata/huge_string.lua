-- Hostile: one huge allocation in a single builtin; refused by the length-checked string.rep.
return {
  abi = 1,
  scope_policy = function(req)
    return {granted_scopes = {string.rep("x", 2 ^ 31)}}
  end,
}
