-- POST a new connection with a password (so each create encrypts): wrk -s create.lua URL -- <run tag> <bearer token>
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end

local counter = 0
function init(args)
  prefix = args[1] .. "-" .. tid
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"qName":"bench-%s-%d","qType":"QvOdbcPostgres.exe","datasourceID":"postgres",'
      .. '"qConnectStatement":"CUSTOM CONNECT TO \\"provider=QvOdbcPostgres.exe;host=new.bench.example;port=5432;\\"",'
      .. '"qUsername":"bench","qPassword":"p4ss-%d"}', prefix, counter, counter)
  return wrk.format("POST", "/api/v1/data-connections", nil, body)
end
