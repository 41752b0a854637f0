-- Hostile: an answer over max_output_bytes (64 KiB by default).
return {
  abi = 1,
  claims = function(req) return {claims = {blob = string.rep("x", 100000)}} end,
}
