-- wrk script: each request asks for a random line of a paths file; a line may carry
-- an ETag after a tab (sent as If-None-Match). Responses with another status than
-- the expected one are counted; done() prints one JSON line for bench/run.py.
--   wrk ... -s bench/mix.lua http://127.0.0.1:8097 -- paths.txt 200
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  paths, expected, unexpected = {}, tonumber(args[2] or "200"), 0
  for line in io.lines(args[1]) do
    local path, etag = line:match("^([^\t]+)\t?(.*)$")
    table.insert(paths, { path, etag })
  end
  math.randomseed(os.time() * 100 + id)
end

function request()
  local entry = paths[math.random(#paths)]
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if entry[2] ~= "" then headers["If-None-Match"] = entry[2] end
  return wrk.format("GET", entry[1], headers)
end

function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, ' ..
    '"unexpected_status": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad,
    errors.connect + errors.read + errors.write + errors.timeout))
end
