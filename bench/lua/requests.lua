-- wrk script: replays a list of requests, one identity after another.
--
-- BENCH_REQUESTS names a TSV file, one request a line:
--   METHOD <tab> PATH <tab> Header: value|Header: value <tab> BODY
-- Each line carries its own cookie and X-Forwarded-For, so the load looks like many
-- users on many addresses (rate limits are per user/IP: docs/performance.md).
-- Requests are formatted once in init(); request() only picks the next one.
-- done() prints one JSON line that bench/run.py parses.

local requests = {}
local counter = 0

function init(args)
  local path = os.getenv("BENCH_REQUESTS")
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in f:lines() do
    local method, target, headers, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    if method then
      local h = {}
      for pair in headers:gmatch("[^|]+") do
        local k, v = pair:match("^([^:]+):%s*(.*)$")
        if k then h[k] = v end
      end
      if body == "" then body = nil end
      table.insert(requests, wrk.format(method, target, h, body))
    end
  end
  f:close()
  assert(#requests > 0, "no requests in " .. path)
  -- Each thread starts at a different place in the list.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  counter = math.random(#requests)
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, requests_)
  local errors = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "non2xx3xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
