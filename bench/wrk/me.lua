-- GET with one bearer token (BENCH_TOKEN): /api/v1/users/me.
dofile(os.getenv("BENCH_COMMON"))
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}

function make_request()
  return wrk.format("GET", nil, headers)
end
