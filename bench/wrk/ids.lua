-- GET a random id from a file: wrk -s ids.lua URL -- <ids file> <path with %s> [bearer token]
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end

local ids = {}
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  template = args[2]
  if args[3] then wrk.headers["Authorization"] = "Bearer " .. args[3] end
  math.randomseed(os.time() * 100 + tid)
end

function request()
  return wrk.format("GET", string.format(template, ids[math.random(#ids)]))
end
