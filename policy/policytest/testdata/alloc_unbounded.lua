-- Hostile: allocates without bound, in small steps; stopped by the deadline (gopher-lua cannot cap memory).
return {
  abi = 1,
  scope_policy = function(req)
    local t = {}
    while true do t[#t + 1] = {#t} end
  end,
}
