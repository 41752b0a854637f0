-- validate_registration: client_uri must be on an allowed domain; accepted clients get a marked name.
local allowed = {}

return {
  abi = 1,
  init = function(config)
    for _, d in ipairs(config.allowed_domains) do allowed[#allowed + 1] = d end
  end,
  validate_registration = function(req)
    local host = (req.metadata.client_uri or ""):match("^https://([^/:]+)")
    for _, d in ipairs(allowed) do
      if host and (host == d or host:sub(-#d - 1) == "." .. d) then
        return {decision = "accept", metadata_patch = {client_name = req.metadata.client_name .. " (verified)"}}
      end
    end
    return {decision = "reject", error = "invalid_client_metadata",
      error_description = "client_uri must be on an allowed domain"}
  end,
}
