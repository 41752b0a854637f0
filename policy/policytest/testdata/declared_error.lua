-- scope_policy: a plugin-declared error (ABI outcome 2).
return {
  abi = 1,
  scope_policy = function(req)
    return {error = {code = "directory_unavailable", description = "the group directory did not answer"}}
  end,
}
