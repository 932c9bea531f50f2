-- wrk script of `make bench`'s mixed workload (see kitb_portal/devstack/bench_mix.py).
-- Arguments: the request list, one line per (user, URL): weight TAB kind TAB cookie TAB path; a seed.
-- Every request is one line picked at random by weight.
local requests, cumulative, total = {}, {}, 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local weight, _kind, cookie, path = line:match("^([^\t]+)\t([^\t]*)\t([^\t]*)\t(.+)$")
    if weight then
      local headers = {}
      if cookie ~= "" then headers["Cookie"] = cookie end
      total = total + tonumber(weight)
      cumulative[#cumulative + 1] = total
      requests[#requests + 1] = wrk.format("GET", path, headers)
    end
  end
  file:close()
  -- the same seed gives the same sequence of requests: runs to compare ask for the same pages
  math.randomseed(tonumber(args[2]) or os.time())
end

function request()
  local r = math.random() * total
  local lo, hi = 1, #cumulative
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < r then lo = mid + 1 else hi = mid end
  end
  return requests[lo]
end
