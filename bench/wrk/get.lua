-- GET of the URL given, with one bearer token (BENCH_TOKEN): the admin list.
dofile(os.getenv("BENCH_COMMON"))
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}

function make_request()
  return wrk.format("GET", nil, headers)
end
