-- Hostile consent policy: never answers. on_error ask gives ask, fail_closed an error; never approve.
return {
  abi = 1,
  consent = function(req)
    while true do end
  end,
}
