-- Only clients whose client_uri is an https URL on example.com (or a subdomain of it) may register.
return {abi = 1, validate_registration = function(req)
  local u = assentry.url.parse(req.metadata.client_uri or "")
  local host = u and u.scheme == "https" and u.host or ""
  if host == "example.com" or host:sub(-12) == ".example.com" then
    return {decision = "accept"}
  end
  return {decision = "reject", error = "invalid_client_metadata",
    error_description = "client_uri must be on example.com"}
end}
