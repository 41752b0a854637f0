-- init refuses a configuration without "required": the plugin does not load.
return {
  abi = 1,
  init = function(config)
    if config.required == nil then
      return {error = {code = "bad_config", description = "config.required is missing"}}
    end
  end,
  scope_policy = function(req) return {granted_scopes = req.granted_scopes} end,
}
