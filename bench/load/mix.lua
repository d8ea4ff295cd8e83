-- A PUT/GET mix over 100 keys: one PUT for every three GETs.
local n = 0
request = function()
  n = n + 1
  local key = "bench-" .. (n % 100)
  if n % 4 == 0 then
    return wrk.format("PUT", "/v1/memories/" .. key,
      {["Content-Type"] = "application/json"}, '{"n":' .. n .. ',"note":"load benchmark"}')
  end
  return wrk.format("GET", "/v1/memories/" .. key)
end
