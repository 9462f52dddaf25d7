-- wrk script: GET with the bearer token from $KINGA_TOKEN, counting answers by status.
--   KINGA_TOKEN=... wrk -t1 -c1 -d10s --latency -s scripts/bench/get.lua 'http://127.0.0.1:PORT/api/v1/incidents?country=CAF'
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   ok = 0
   other = 0
   wrk.headers["Authorization"] = "Bearer " .. os.getenv("KINGA_TOKEN")
end

function response(status, hdrs, body)
   if status == 200 then
      ok = ok + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local c, o = 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("ok")
      o = o + t:get("other")
   end
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "RESULT ok=%d other=%d rate=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f socket_errors=%d\n",
      c, o, c / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      e.connect + e.read + e.write + e.timeout))
end
