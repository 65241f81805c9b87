-- Warm-up load for bench/run.sh: alternates GET /users/42 and GET /hello on every connection,
-- so both routes' code paths get the JIT's (or the interpreter's caches') attention.
local requests
local i = 0

init = function(args)
  requests = { wrk.format("GET", "/users/42"), wrk.format("GET", "/hello") }
end

request = function()
  i = i + 1
  return requests[i % 2 + 1]
end
