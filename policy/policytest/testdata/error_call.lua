-- Hostile: the plugin raises an error.
return {
  abi = 1,
  scope_policy = function(req) error("policy exploded") end,
}
