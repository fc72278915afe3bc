-- POST /api/v1/auth/login, cycling over the seeded users (BENCH_EMAILS), so
-- that no account has more checks in flight than its lockout allowance.
dofile(os.getenv("BENCH_COMMON"))
local emails = split(os.getenv("BENCH_EMAILS"))
local password = os.getenv("BENCH_PASSWORD")

function make_request()
  local email = emails[((counter * 2 + thread_index) % #emails) + 1]
  local body = string.format('{"email":"%s","password":"%s"}', email, password)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
