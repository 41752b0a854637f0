-- first-party-consent: approve the consent step for the operator's own (first-party) clients, so their users
-- are not asked to consent to the operator's own applications; otherwise keep the usual rule (a consent already
-- given is remembered, anything else is asked). The Lua twin of plugins/first-party-consent-wasm: same config,
-- same decisions (its cases run against this file too).
--
-- config:
--   client_ids:       ["portal", "admin-console"]   clients approved by id
--   client_uri_hosts: ["example.com"]               clients whose client_uri is on one of these hosts or their
--                                                   subdomains (only with closed registration: with open
--                                                   registration anyone may claim a client_uri)
--
-- Bind it with the built-in consent policy switched off (builtin_policy: {consent: false}): consent answers
-- combine deny > ask > approve, so the built-in "ask" for a first consent would win over this approve.
-- prompt=consent still asks (the host turns approve into ask).

local ids, hosts = {}, {}

-- host returns the lower-case host of an http(s) URL, without userinfo or port, or nil.
local function host(uri)
  if type(uri) ~= "string" then return nil end
  local authority = uri:match("^[Hh][Tt][Tt][Pp][Ss]?://([^/?#]*)")
  if not authority then return nil end
  authority = authority:gsub("^.*@", "")
  local h = authority:match("^%[[^%]]*%]") or authority:match("^[^:]*")
  if h == "" then return nil end
  return h:lower()
end

local function first_party(client)
  if ids[client.client_id] then return true end
  local h = host(client.client_uri)
  if not h then return false end
  for _, allowed in ipairs(hosts) do
    if h == allowed or h:sub(-#allowed - 1) == "." .. allowed then return true end
  end
  return false
end

return {
  abi = 1,
  init = function(config)
    for _, id in ipairs(config.client_ids or {}) do ids[id] = true end
    for _, h in ipairs(config.client_uri_hosts or {}) do hosts[#hosts + 1] = h:lower() end
    if next(ids) == nil and #hosts == 0 then
      return {error = {code = "invalid_config", description = "first-party-consent needs client_ids or client_uri_hosts"}}
    end
  end,
  consent = function(req)
    if first_party(req.client) then
      return {decision = "approve", remember = false} -- nothing to remember: it is approved every time
    end
    if req.previously_consented then return {decision = "approve"} end
    return {decision = "ask"}
  end,
}
