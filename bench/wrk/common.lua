-- Shared by every scenario: counts answers by status in each thread and
-- prints one JSON summary line (`BENCH_JSON {...}`) that bench.py reads.
-- A scenario defines `make_request()` and may define `on_response(status,
-- body)` and `scenario_setup(thread, index)`.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
  if scenario_setup then scenario_setup(thread, #threads) end
end

function init(args)
  statuses = {}
  counter = 0
end

function request()
  counter = counter + 1
  return make_request()
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if on_response then on_response(status, body) end
end

function split(text)
  local items = {}
  for item in string.gmatch(text or "", "[^,]+") do table.insert(items, item) end
  return items
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"statuses": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
end
