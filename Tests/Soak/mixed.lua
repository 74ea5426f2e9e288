-- wrk script for Tests/Soak/soak.sh: rotates valid and invalid requests, counts statuses per thread,
-- and reports every status outside the expected set as an error.
-- Left to Tests/Sanitizers/traffic.py and the live tests, because wrk cannot take them: HEAD and 304
-- (wrk's parser then waits for Content-Length body bytes that never come), and requests its own parser
-- refuses to send (unknown methods, a garbage request line, two Content-Lengths).
-- Every request names its Host: wrk.format runs when the script loads, before wrk knows the URL's host,
-- and an HTTP/1.1 request without Host is a 400 (RFC 9112 §3.2).
local host = "127.0.0.1"
local auth = { ["Authorization"] = "token ghp_octocatRead", ["Host"] = host }
local list = "/users/octocat/packages?package_type=container"
local org = "/orgs/octo-org/packages"
local admin = { ["Authorization"] = "token ghp_octocatAdmin", ["Host"] = host }
local requests = {
  wrk.format("GET", list, auth),
  wrk.format("GET", list .. "&per_page=2&page=2", auth),
  wrk.format("OPTIONS", "/anything", { ["Host"] = host }),
  wrk.format("GET", list, { ["Host"] = host }),
  wrk.format("GET", list, { ["Authorization"] = "token unknown", ["Host"] = host }),
  wrk.format("GET", list, { ["Authorization"] = "token ghp_octocatNoScopes", ["Host"] = host }),
  wrk.format("GET", "/users/octocat/packages?package_type=pypi", auth),
  wrk.format("GET", "/users/%zz/packages?package_type=npm", auth),
  wrk.format("GET", "/users/nobody-here/packages?package_type=npm", auth),
  wrk.format("PROPFIND", "/nowhere", { ["Host"] = host }),
  wrk.format("DELETE", list, auth),
  wrk.format("GET", list .. "&x=" .. string.rep("a", 9000), auth),
  "GET " .. list .. " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
  "GET " .. list .. " HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n",
  wrk.format("GET", "/_emulator/health", { ["Host"] = host }),
  wrk.format("GET", list .. "&per_page=100", auth, "ignored body"),
  -- The other routes, and writes that toggle one version while every other request reads.
  wrk.format("GET", org .. "?package_type=container", auth),
  wrk.format("GET", org .. "/container/octo-repo%2Fweb/versions", auth),
  wrk.format("GET", "/api/v3" .. org .. "/container/octo-sdk/versions?per_page=5&page=4", auth),
  wrk.format("GET", org .. "/container/octo-sdk/versions/40300001", auth),
  wrk.format("GET", "/orgs/octo-org/docker/conflicts", { ["Host"] = host }),
  wrk.format("GET", "/user", auth),
  wrk.format("DELETE", org .. "/container/octo-repo%2Fweb/versions/9002", admin),
  wrk.format("POST", org .. "/container/octo-repo%2Fweb/versions/9002/restore", admin),
  wrk.format("DELETE", org .. "/container/octo-base/versions/9102", admin),
}
local expected = { [200] = true, [204] = true, [304] = true, [400] = true, [401] = true, [403] = true,
                   [404] = true, [413] = true, [414] = true }
local threads = {}
local index = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  unexpected = 0
  index = math.random(#requests) - 1
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if not expected[status] then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local total, totals = 0, {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
    for status, count in pairs(thread:get("counts")) do totals[status] = (totals[status] or 0) + count end
  end
  local line = ""
  for status, count in pairs(totals) do line = line .. " " .. status .. "=" .. count end
  io.write("statuses:" .. line .. "\n")
  io.write("unexpected statuses: " .. total .. "\n")
  local e = summary.errors
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
                         e.connect, e.read, e.write, e.timeout))
end
