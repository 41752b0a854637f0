-- Hostile: never answers; stopped by the call's deadline.
return {
  abi = 1,
  scope_policy = function(req)
    while true do end
  end,
}
