-- claims: globals set by init are visible to every call; globals set by a call are gone in the next one.
return {
  abi = 1,
  init = function(config) greeting = "hello " .. config.name end,
  claims = function(req)
    local out = {greeting = greeting, calls = (counter or 0) + 1}
    if seen_sub ~= nil then out.leaked = seen_sub end
    counter, seen_sub = out.calls, req.user.sub
    return {claims = out}
  end,
}
