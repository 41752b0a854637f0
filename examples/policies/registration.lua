-- Only clients whose client_uri is on example.com (or a subdomain of it) may register.
return {abi = 1, validate_registration = function(req)
  local host = ((req.metadata.client_uri or "") .. "/"):lower():match("^https://([^/:?#@]+)[/:?#]")
  if host == "example.com" or (host or ""):sub(-12) == ".example.com" then
    return {decision = "accept"}
  end
  return {decision = "reject", error = "invalid_client_metadata",
    error_description = "client_uri must be on example.com"}
end}
