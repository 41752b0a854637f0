-- Hostile: a runtime error (indexing nil), Lua's nearest thing to a trap.
return {
  abi = 1,
  scope_policy = function(req)
    local missing
    return {granted_scopes = missing.scopes}
  end,
}
