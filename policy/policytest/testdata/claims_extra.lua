-- claims: department from config, the user's groups, and an empty object where the Go type is free-form.
local department

return {
  abi = 1,
  init = function(config) department = config.department end,
  claims = function(req)
    if req.target ~= "id_token" then return {claims = {}} end
    return {claims = {department = department, groups = req.user.groups, preferences = {}, level = 3}}
  end,
}
