-- Hostile consent policy: an unknown decision.
return {
  abi = 1,
  consent = function(req) return {decision = "maybe"} end,
}
