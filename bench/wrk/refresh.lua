-- POST /api/v1/auth/refresh, each request with the refresh token the
-- previous answer gave (rotation is real: every token is used once). The
-- threads share out the BENCH_REFRESH_TOKENS of the sessions opened first.
dofile(os.getenv("BENCH_COMMON"))

function scenario_setup(thread, index)
  thread:set("initial", os.getenv("BENCH_REFRESH_TOKENS"))
end

local pool

local function post(token)
  local body = string.format('{"refresh_token":"%s"}', token)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function make_request()
  -- wrk builds one request on the first thread's state before any
  -- connection opens, to check the script, and never sends it: that call
  -- must not take a token from the pool, or one connection would be left
  -- without one for the whole run.
  if thread_index == 1 and counter == 1 then return post("wrk-verifies-the-script") end
  if pool == nil then
    pool = {}
    for i, token in ipairs(split(initial)) do
      -- Threads are numbered from 1; two threads split the list.
      if i % 2 == thread_index % 2 then table.insert(pool, token) end
    end
  end
  return post(table.remove(pool) or "pool-empty")
end

function on_response(status, body)
  local token = body and string.match(body, '"refresh_token":"([^"]+)"')
  if token then table.insert(pool, token) end
end
