-- POST /api/v1/auth/register with a new address each time.
dofile(os.getenv("BENCH_COMMON"))
local password = os.getenv("BENCH_PASSWORD")
local run = os.getenv("BENCH_RUN")

function make_request()
  local body = string.format(
    '{"email":"reg-%s-%d-%d@example.com","password":"%s","name":"Bench"}',
    run, thread_index, counter, password)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
