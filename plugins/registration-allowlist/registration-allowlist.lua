-- registration-allowlist: admit a dynamically registered client only when its client_uri is on an allowed
-- domain (validate_registration).
--
-- config:
--   allowed_domains: ["example.com", ...]   required; lower-case domain names
--   subdomains: true                        also admit subdomains (shop.example.com); default true
--   message: "..."                          error_description of a reject (optional)

local allowed, subdomains, message = {}, true, nil

-- host returns the host of an https URL (lower-case, without userinfo, port or the brackets of an IPv6
-- literal, as assentry.url.parse gives it), or nil.
local function host(uri)
  local u = type(uri) == "string" and assentry.url.parse(uri)
  if not u or u.scheme ~= "https" or not u.host then return nil end
  local h = u.host:gsub("%.$", "")                        -- a trailing dot names the same host
  if h == "" then return nil end
  return h
end

local function permitted(h)
  if allowed[h] then return true end
  if subdomains then
    local parent = h:match("^[^.]+%.(.+)$")
    while parent do
      if allowed[parent] then return true end
      parent = parent:match("^[^.]+%.(.+)$")
    end
  end
  return false
end

return {
  abi = 1,
  init = function(config)
    if type(config.allowed_domains) ~= "table" or #config.allowed_domains == 0 then
      return {error = {code = "bad_config", description = "allowed_domains: a list of domains is required"}}
    end
    for _, d in ipairs(config.allowed_domains) do allowed[d:lower()] = true end
    if config.subdomains == false then subdomains = false end
    message = config.message
  end,
  validate_registration = function(req)
    local h = host(req.metadata.client_uri)
    if h and permitted(h) then
      return {decision = "accept"}
    end
    assentry.log("info", "registration refused: client_uri " .. tostring(req.metadata.client_uri) .. " is not allowed")
    return {decision = "reject", error = "invalid_client_metadata",
      error_description = message or "client_uri must be on an allowed domain"}
  end,
}
