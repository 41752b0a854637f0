-- url_parse: answers what assentry.url.parse makes of the client's client_uri, as the claim "u" (the parts) or
-- "err" (the message when it is not a URI). The vectors are policytest.URLVectors.
return {abi = 1, claims = function(req)
  local u, err = assentry.url.parse(req.client.client_uri)
  if u then return {claims = {u = u}} end
  return {claims = {err = err}}
end}
