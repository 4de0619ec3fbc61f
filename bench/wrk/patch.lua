-- PATCH the tags of a random connection: wrk -s patch.lua URL -- <ids file> <bearer token>
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end

local ids = {}
local counter = 0
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() * 100 + tid)
end

function request()
  counter = counter + 1
  local body = string.format('[{"op":"replace","path":"/tags","value":["bench","t%d-%d"]}]', tid, counter)
  return wrk.format("PATCH", "/api/v1/data-connections/" .. ids[math.random(#ids)], nil, body)
end
