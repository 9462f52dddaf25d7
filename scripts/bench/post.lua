-- wrk script: POST /api/v1/reports with a distinct text per request, counting answers by
-- status. The bearer token comes from $KINGA_TOKEN.
--   KINGA_TOKEN=... wrk -t2 -c32 -d30s --latency -s scripts/bench/post.lua http://127.0.0.1:PORT
local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   created = 0
   other = 0
   n = 0
   headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. os.getenv("KINGA_TOKEN"),
   }
end

function request()
   n = n + 1
   local body = string.format(
      '{"text":"Load test %d-%d: armed men entered the market of Bossangoa at dawn, several houses were burnt and two traders are missing.","country":"CAF","occurred_on":"2026-11-20","visibility":"organisation"}',
      tid, n)
   return wrk.format("POST", "/api/v1/reports", headers, body)
end

function response(status, hdrs, body)
   if status == 201 then
      created = created + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local c, o, s = 0, 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("created")
      o = o + t:get("other")
      s = s + t:get("n")
   end
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "RESULT created=%d other=%d sent=%d rate=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f socket_errors=%d\n",
      c, o, s, c / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      e.connect + e.read + e.write + e.timeout))
end
