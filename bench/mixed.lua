-- wrk: each request goes to the next of the 20 sleeping routes of bench/mixed_app.py.
local n = 0
request = function()
  n = (n + 1) % 20
  return wrk.format("GET", "/sleep/" .. n)
end
