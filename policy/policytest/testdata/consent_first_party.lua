-- consent: approve first-party clients; ask for the others, with a notice and scope descriptions.
local first = {}

return {
  abi = 1,
  init = function(config)
    for _, id in ipairs(config.first_party or {}) do first[id] = true end
  end,
  consent = function(req)
    if first[req.client.client_id] then
      return {decision = "approve", remember = true}
    end
    return {decision = "ask", page = {
      notices = {req.client.client_name .. " is not operated by us."},
      scope_descriptions = {profile = "Your name and picture"},
    }}
  end,
}
