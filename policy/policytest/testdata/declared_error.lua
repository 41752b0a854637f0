-- scope_policy: a plugin-declared error (outcome 2 of docs/policy-abi.md, "Outcomes").
return {
  abi = 1,
  scope_policy = function(req)
    return {error = {code = "directory_unavailable", description = "the group directory did not answer"}}
  end,
}
