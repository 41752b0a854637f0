-- Hostile: roles must be an array.
return {
  abi = 1,
  map_roles = function(req) return {roles = "admin"} end,
}
