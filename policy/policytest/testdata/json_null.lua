-- json_null: a null in the input is told from an absent member, and a null in a metadata_patch removes the
-- member (tos_uri).
return {abi = 1, validate_registration = function(req)
  return {decision = "accept", metadata_patch = {
    tos_uri = json.null,
    policy_uri_was_null = req.metadata.policy_uri == json.null,
    client_name_was_null = req.metadata.client_name == json.null,
  }}
end}
