# Ruby octokit (Debian ruby-octokit): Octokit::Client with api_endpoint set to the emulator.
# `client.get` for single pages, `client.paginate` (auto_paginate: follows Link rel="next" through Sawyer,
# which splits Link on ", " and needs `<URL>; rel="name"` exactly, and stops when X-RateLimit-Remaining is 0).
# Errors are octokit's classes: Octokit::Unauthorized, Octokit::Forbidden, Octokit::NotFound.
# Octokit 4.x sends no X-GitHub-Api-Version; the version is chosen with a :headers option.
# Octokit 4.20 has no packages methods: the rest of the packages API goes through get/paginate, Sawyer's
# rels[:self] (a package's `url`), and octokit's user, user(login), rate_limit! and scopes.
require "json"
require "octokit"

$stdout.sync = true
HERE = File.dirname(File.expand_path(__FILE__))
E = JSON.parse(File.read(ENV["INTEROP_EXPECTED"] || File.join(HERE, "expected.json")))
BASE = (ENV["EMULATOR_URL"] || ARGV[0] || abort("usage: EMULATOR_URL=http://127.0.0.1:PORT #{$0}")).chomp("/")
T = E["tokens"]
$failed = 0
$passed = 0

def check(name)
  yield
  $passed += 1
  puts "ok - octokit.rb: #{name}"
rescue StandardError => e
  $failed += 1
  why = e.is_a?(CheckFailed) ? e.message : "#{e.class}: #{e.message} (raised at #{e.backtrace&.first})"
  why = why.split.join(" ")[0, 700]
  puts "not ok - octokit.rb: #{name}: #{why}"
  warn e.backtrace.first(5).join("\n") if ENV["INTEROP_VERBOSE"]
end

class CheckFailed < StandardError; end

def expect_equal(what, got, want)
  return if got == want
  if got.is_a?(Array) && want.is_a?(Array)
    i = (0...[got.size, want.size].max).find { |k| got[k] != want[k] }
    raise CheckFailed, "#{what}: got #{got.size} items, want #{want.size}; first difference at index #{i}: " \
                       "got #{got[i].inspect}, want #{want[i].inspect}"
  end
  raise CheckFailed, "#{what}: got #{got.inspect}, want #{want.inspect}"
end

def expect_error(klass, status, message, doc = nil)
  result = yield
  raise CheckFailed, "returned #{result.class}, want #{klass} raised"
rescue CheckFailed
  raise
rescue Octokit::Error => e
  expect_equal("error class", e.class, klass)
  expect_equal("status", e.response_status, status)
  body = JSON.parse(e.response_body)
  expect_equal("message", body["message"], message)
  expect_equal("status field", body["status"], status.to_s)
  expect_equal("documentation_url", body["documentation_url"], doc) if doc
end

def client(token, **opts)
  Octokit::Client.new({ access_token: token, api_endpoint: BASE }.merge(opts))
end

def path(user)
  "users/#{user}/packages"
end

E["versions"].each do |v|
  hv = { "X-GitHub-Api-Version" => v }
  full = client(T["full"])

  check("#{v} client.get filtered listing npm/public, names in order") do
    f = E["filtered"]
    data = full.get(path(f["username"]), package_type: f["package_type"], visibility: f["visibility"], headers: hv)
    expect_equal("names", data.map(&:name), f["names"])
    expect_equal("X-GitHub-Api-Version-Selected",
                 full.last_response.headers["x-github-api-version-selected"], v)
    # octokit reads the X-RateLimit-* headers of the last response (paginate stops when remaining is 0)
    rl = full.rate_limit
    expect_equal("rate_limit.limit", rl.limit, 5000)
    expect_equal("rate_limit.remaining in 1...5000", (1...5000).cover?(rl.remaining), true)
    expect_equal("rate_limit.resets_in in 1..3600", (1..3600).cover?(rl.resets_in), true)
    # Sawyer turns *_url fields into relations; the package's url must lead back to the emulator
    expect_equal("rels[:html] host", data.first.rels[:html]&.href.to_s.start_with?("https://github.com/"), true)
    expect_equal("url host", data.first.url.start_with?(BASE + "/"), true)
  end

  # octokit's other two ways to present a token: Basic (login + token as password) and Bearer
  [["Basic (login, token as password)", { login: E["owner"], password: T["full"] }],
   ["Bearer", { bearer_token: T["full"] }]].each do |label, auth|
    check("#{v} client.get with #{label} auth") do
      f = E["filtered"]
      c = Octokit::Client.new(auth.merge(api_endpoint: BASE))
      data = c.get(path(f["username"]), package_type: f["package_type"], visibility: f["visibility"], headers: hv)
      expect_equal("names", data.map(&:name), f["names"])
      expect_equal("X-OAuth-Scopes", c.last_response.headers["x-oauth-scopes"], "read:packages, repo")
    end
  end

  check("#{v} client.get maven listing (repository per version)") do
    m = E["maven"]
    data = full.get(path(m["username"]), package_type: m["package_type"], headers: hv)
    expect_equal("names", data.map(&:name), m["names"])
    expect_equal("repository.full_name", data.map { |p| p.repository.full_name },
                 m["repositories"].map { |r| "#{E['owner']}/#{r}" })
    expect_equal("has_downloads present", data.map { |p| p.repository.to_attrs.key?(:has_downloads) },
                 [v == "2022-11-28"] * data.size)
  end

  [100, 30].each do |per_page|
    check("#{v} client.paginate #{E['bulk']['username']}, per_page=#{per_page}, complete and in order") do
      b = E["bulk"]
      c = client(T["full"], auto_paginate: true, per_page: per_page)
      pages = 0
      names = []
      first = c.paginate(path(b["username"]), package_type: b["package_type"], headers: hv) do |_data, last|
        pages += 1
        names.concat(last.data.map(&:name))
        expect_equal("X-GitHub-Api-Version-Selected of page #{pages + 1}",
                     last.headers["x-github-api-version-selected"], v)
      end
      names = first.map(&:name) + names
      expect_equal("names", names, b["names"])
      expect_equal("pages", pages + 1, (b["names"].size + per_page - 1) / per_page)
    end
  end

  check("#{v} client.paginate without block concatenates the pages") do
    b = E["bulk"]
    data = client(T["full"], auto_paginate: true).paginate(path(b["username"]), package_type: b["package_type"],
                                                           headers: hv)
    expect_equal("names", data.map(&:name), b["names"])
  end

  check("#{v} 401 unknown token -> Octokit::Unauthorized") do
    expect_error(Octokit::Unauthorized, 401, E["messages"]["401"]) do
      client(T["unknown"]).get(path(E["owner"]), package_type: "npm", headers: hv)
    end
  end

  check("#{v} 401 no token -> Octokit::Unauthorized (Requires authentication)") do
    expect_error(Octokit::Unauthorized, 401, E["messages"]["401_anonymous"]) do
      Octokit::Client.new(api_endpoint: BASE).get(path(E["owner"]), package_type: "npm", headers: hv)
    end
  end

  check("#{v} 403 token without read:packages -> Octokit::Forbidden") do
    expect_error(Octokit::Forbidden, 403, E["messages"]["403_scope"]) do
      client(T["noscope"]).get(path(E["owner"]), package_type: "npm", headers: hv)
    end
  end

  check("#{v} 403 maven without repo scope -> Octokit::Forbidden") do
    expect_error(Octokit::Forbidden, 403, E["messages"]["403_repo"]) do
      client(T["norepo"], auto_paginate: true).paginate(path(E["owner"]), package_type: "maven", headers: hv)
    end
  end

  check("#{v} 404 unknown user -> Octokit::NotFound") do
    expect_error(Octokit::NotFound, 404, E["messages"]["404"]) do
      full.get(path(E["missing_user"]), package_type: "npm", headers: hv)
    end
  end
end


# --- The rest of the packages API (SPEC §13-§19). Octokit 4.20 has no packages methods (they came in 5.x),
# so: client.get / client.paginate on the routes, Sawyer's rels[:self] to follow a package's `url`, and
# octokit's own account methods (user, user(login), rate_limit!, scopes). -------------------------------------
O = E["org"]
ME = E["me"]
M = E["messages"]
ORG = O["login"]
WEB = O["web"]
BIG = O["big"]
WEB_PATH = "orgs/#{ORG}/packages/container/#{WEB['path_name']}"
BIG_PATH = "orgs/#{ORG}/packages/npm/#{BIG['name']}"

E["versions"].each do |v|
  hv = { "X-GitHub-Api-Version" => v }
  full = client(T["full"])

  check("#{v} client.get org packages: list, get (%2F), versions, state=deleted, version, conflicts") do
    data = full.get("orgs/#{ORG}/packages", package_type: "container", headers: hv)
    expect_equal("list names", data.map(&:name), O["container"]["admin"])
    expect_equal("owner.type", data.map { |p| p.owner.type }.uniq, ["Organization"])
    p = full.get(WEB_PATH, headers: hv)
    expect_equal("get (id, name, version_count)", [p.id, p.name, p.version_count],
                 [WEB["id"], WEB["name"], WEB["version_count"]])
    vs = full.get("#{WEB_PATH}/versions", headers: hv)
    expect_equal("versions (id, name, tags)", vs.map { |x| [x.id, x.name, x.metadata.container.tags] },
                 WEB["versions"].map { |w| [w["id"], w["name"], w["tags"]] })
    vs = full.get("#{WEB_PATH}/versions", state: "deleted", headers: hv)
    expect_equal("state=deleted (id, deleted_at)", vs.map { |x| [x.id, x.deleted_at.utc.iso8601] },
                 WEB["deleted"].map { |w| [w["id"], w["deleted_at"]] })
    want = WEB["versions"][0]
    x = full.get("#{WEB_PATH}/versions/#{want['id']}", headers: hv)
    expect_equal("version (id, tags, html_url)", [x.id, x.metadata.container.tags, x.html_url],
                 [want["id"], want["tags"], want["html_url"]])
    c = full.get("orgs/#{ORG}/docker/conflicts", headers: hv)
    expect_equal("conflicts", c.map(&:name), O["conflicts"]["admin"])
    c = Octokit::Client.new(api_endpoint: BASE).get("orgs/#{ORG}/docker/conflicts", headers: hv)
    expect_equal("conflicts without a token", c.map(&:name), O["conflicts"]["public"])
  end

  check("#{v} client.get /users/{org} and /user routes") do
    p = full.get("users/#{ORG}/packages/container/#{WEB['path_name']}", headers: hv)
    expect_equal("/users/{org} url renders orgs/", p.url, "#{BASE}/#{WEB_PATH}")
    mv = ME["versions"]
    expect_equal("/user list", full.get("user/packages", package_type: "container", headers: hv).map(&:name),
                 ME["container"])
    vs = full.get("user/packages/#{mv['package_type']}/#{mv['name']}/versions", headers: hv)
    expect_equal("/user versions (id, name)", vs.map { |x| [x.id, x.name] }, mv["ids"].zip(mv["names"]))
    expect_equal("/user conflicts", full.get("user/docker/conflicts", headers: hv).map(&:name), ME["conflicts"])
  end

  # paginate over the versions, directly and under GHES's /api/v3 (Link URLs then carry the prefix)
  ["", E["ghes_prefix"]].each do |prefix|
    check("#{v} client.paginate #{BIG['name']} versions per_page=#{BIG['per_page']}#{prefix.empty? ? '' : ' under ' + prefix}") do
      api = BASE + prefix
      c = client(T["full"], api_endpoint: api, auto_paginate: true, per_page: BIG["per_page"])
      urls = []
      ids = []
      first = c.paginate("#{BIG_PATH}/versions", headers: hv) do |_data, last|
        u = URI(last.env.url.to_s) # Faraday sorts the query; compare it as a set
        urls << ["#{u.scheme}://#{u.host}:#{u.port}#{u.path}", URI.decode_www_form(u.query.to_s).sort]
        ids.concat(last.data.map(&:id))
      end
      ids = first.map(&:id) + ids
      expect_equal("ids (each once, newest first)", ids, BIG["version_ids"])
      expect_equal("pages after the first", urls,
                   (2..BIG["pages"]).map { |n| ["#{api}/#{BIG_PATH}/versions", [["page", n.to_s], ["per_page", BIG["per_page"].to_s]]] })
      expect_equal("last page: no rel=next", c.last_response.rels[:next], nil)
      all = client(T["full"], api_endpoint: api, auto_paginate: true).paginate("#{BIG_PATH}/versions", headers: hv)
      expect_equal("paginate without block, per_page 100", all.map(&:id), BIG["version_ids"])
    end

    check("#{v} Sawyer rels[:self] follows each listed package's url#{prefix.empty? ? '' : ' under ' + prefix}") do
      api = BASE + prefix
      data = client(T["full"], api_endpoint: api).get("orgs/#{ORG}/packages", package_type: "container", headers: hv)
      expect_equal("listed", data.map(&:name), O["container"]["admin"])
      expect_equal("rels[:self] hrefs", data.map { |p| p.rels[:self]&.href.to_s },
                   O["container"]["admin"].map { |n| "#{api}/orgs/#{ORG}/packages/container/#{n.gsub('/', '%2F')}" })
      data.each do |p|
        href = p.rels[:self].href.to_s
        got = p.rels[:self].get(headers: hv).data
        expect_equal("GET #{href}", [got.id, got.name], [p.id, p.name])
      end
    end
  end

  check("#{v} client.user, client.user(org), rate_limit!, scopes") do
    me = full.user
    expect_equal("user (login, id, name, type)", [me.login, me.id, me.name, me.type],
                 [ME["login"], ME["id"], ME["name"], ME["type"]])
    o = full.user(ORG)
    expect_equal("user(org) (login, id, type)", [o.login, o.id, o.type], [ORG, O["id"], "Organization"])
    rl = full.rate_limit!
    expect_equal("rate_limit! limit", rl.limit, 5000)
    expect_equal("rate_limit! body core == rate", full.last_response.data.resources.core.to_attrs,
                 full.last_response.data.rate.to_attrs)
    expect_equal("rate_limit! remaining from the headers", rl.remaining, full.last_response.data.rate.remaining)
    expect_equal("scopes (X-OAuth-Scopes of GET /user)", full.scopes, ["read:packages", "repo"])
    expect_error(Octokit::NotFound, 404, M["404"]) { full.user(E["missing_user"]) }
    expect_error(Octokit::Forbidden, 403, M["403_integration"]) { client(T["installation"]).user }
  end

  check("#{v} who reads what, errors: Octokit::NotFound / Forbidden / BadRequest") do
    member = client(T["member"])
    collab = client(T["collaborator"])
    expect_equal("member's list", member.get("orgs/#{ORG}/packages", package_type: "container", headers: hv).map(&:name),
                 O["container"]["member"])
    expect_equal("collaborator's list",
                 collab.get("orgs/#{ORG}/packages", package_type: "container", headers: hv).map(&:name),
                 O["container"]["collaborator"])
    expect_error(Octokit::NotFound, 404, M["404_package"]) { member.get(WEB_PATH, headers: hv) }
    expect_error(Octokit::NotFound, 404, M["404_package"]) do
      collab.get("#{WEB_PATH}/versions", state: "deleted", headers: hv)
    end
    expect_error(Octokit::NotFound, 404, M["404_package"]) do
      full.get("orgs/#{ORG}/packages/npm/#{O['deleted_package']}", headers: hv)
    end
    expect_error(Octokit::NotFound, 404, M["404_version"]) do
      full.get("#{WEB_PATH}/versions/#{WEB['deleted'][0]['id']}", headers: hv)
    end
    expect_error(Octokit::NotFound, 404, M["404"]) { full.get("orgs/#{ME['login']}/packages/npm/octo-lib", headers: hv) }
    expect_error(Octokit::BadRequest, 400, M["400_invalid"]) do
      client(T["installation"]).get("orgs/#{ORG}/packages", package_type: "container", headers: hv)
    end
    expect_error(Octokit::Forbidden, 403, M["403_get_scope"]) { client(T["noscope"]).get(WEB_PATH, headers: hv) }
    x = client(T["installation"]).get(WEB_PATH, headers: hv)
    expect_equal("installation token reads its repository's package", x.id, WEB["id"])
  end
end


# --- Cleanup (SPEC §15-§17): keep the 2 newest tagged versions, delete the rest, through octokit's delete/post -----
C = E["cleanup"]
CO = C["org"]
CU = C["user"]

def control(method, path)
  uri = URI("#{BASE}/_emulator/#{path}")
  req = method == :post ? Net::HTTP::Post.new(uri) : Net::HTTP::Get.new(uri)
  res = Net::HTTP.start(uri.host, uri.port) { |h| h.request(req) }
  raise CheckFailed, "#{method.upcase} /_emulator/#{path}: HTTP #{res.code}" unless res.code == "200"
  JSON.parse(res.body)
end

# Between two resets (the other clients share the emulator); the reset after must give back the export of before.
def write_scenario(title)
  before = nil
  check("#{title}: reset before, export taken") do
    control(:post, "reset")
    expect_equal("clock real after reset", control(:get, "clock")["real"], true)
    before = control(:get, "fixtures/export")
  end
  yield
ensure
  check("#{title}: reset after restores the data set (export equal to the one before)") do
    control(:post, "reset")
    raise CheckFailed, "no export from before" if before.nil?
    expect_equal("export after the reset equals the one before", control(:get, "fixtures/export") == before, true)
  end
end

def no_content(what, c, result)
  expect_equal("#{what}: last_response.status", c.last_response.status, 204)
  expect_equal("#{what}: returned", result, "")
  expect_equal("#{what}: Content-Type", c.last_response.headers["content-type"], nil)
end

E["versions"].zip(%w[users orgs]).each do |v, route|
  hv = { "X-GitHub-Api-Version" => v }
  writer = client(T["cleanup"])
  pkg = "#{route}/#{CO['owner']}/packages/container/#{CO['path_name']}"
  doc = "https://docs.github.com/rest/packages/packages#delete-package-version-for-#{route == 'users' ? 'a-user' : 'an-organization'}"

  write_scenario("#{v} /#{route}/{org} cleanup") do
    check("#{v} retention over /#{route}/#{CO['owner']}: paginate, keep the #{C['keep']} newest tagged, client.delete the rest -> 204") do
      versions = client(T["cleanup"], auto_paginate: true, per_page: 4).paginate("#{pkg}/versions", headers: hv)
      expect_equal("versions (id, tags)", versions.map { |x| [x.id, x.metadata.container.tags] },
                   CO["versions"].map { |w| [w["id"], w["tags"]] })
      kept = versions.select { |x| x.metadata.container.tags.any? }.first(C["keep"]).map(&:id)
      deletes = versions.map(&:id) - kept
      expect_equal("(kept, to delete)", [kept, deletes], [CO["kept"], CO["deletes"]])
      deletes.each { |id| no_content("delete #{id}", writer, writer.delete("#{pkg}/versions/#{id}", headers: hv)) }
      expect_equal("left", writer.get("#{pkg}/versions", headers: hv).map(&:id), CO["kept"])
      expect_equal("version_count", writer.get(pkg, headers: hv).version_count, CO["kept"].size)
      gone = writer.get("#{pkg}/versions", state: "deleted", headers: hv)
      expect_equal("state=deleted", gone.map(&:id), CO["deletes"] + [CO["reused"]["id"]])
      expect_equal("deleted_at present", gone.map { |x| x.deleted_at.is_a?(Time) }, [true] * gone.size)
    end

    check("#{v} the last tagged version -> Octokit::BadRequest; deleted twice -> Octokit::NotFound") do
      no_content("delete #{CO['trim']}", writer, writer.delete("#{pkg}/versions/#{CO['trim']}", headers: hv))
      expect_error(Octokit::BadRequest, 400, M["400_last_tagged"], doc) do
        writer.delete("#{pkg}/versions/#{CO['last_tagged']}", headers: hv)
      end
      expect_error(Octokit::NotFound, 404, M["404_version"], doc) do
        writer.delete("#{pkg}/versions/#{CO['trim']}", headers: hv)
      end
      expect_equal("left", writer.get("#{pkg}/versions", headers: hv).map(&:id), [CO["last_tagged"]])
    end

    check("#{v} client.delete the package -> 204, NotFound after, client.post …/restore -> 204, the listings") do
      no_content("delete package", writer, writer.delete(pkg, headers: hv))
      expect_error(Octokit::NotFound, 404, M["404_package"]) { writer.get(pkg, headers: hv) }
      expect_equal("listing without it",
                   writer.get("#{route}/#{CO['owner']}/packages", package_type: "container", headers: hv).map(&:name),
                   CO["others"])
      no_content("restore package", writer, writer.post("#{pkg}/restore", headers: hv))
      p = writer.get(pkg, headers: hv)
      expect_equal("restored (id, version_count, url)", [p.id, p.version_count, p.url],
                   [CO["id"], 1, "#{BASE}/orgs/#{CO['owner']}/packages/container/#{CO['path_name']}"])
      expect_equal("back with its version", writer.get("#{pkg}/versions", headers: hv).map(&:id), [CO["last_tagged"]])
      expect_equal("listing with it",
                   writer.get("#{route}/#{CO['owner']}/packages", package_type: "container", headers: hv).map(&:name),
                   O["container"]["admin"])
    end

    check("#{v} the workflow's GITHUB_TOKEN (installation of #{WEB['repository']}): its repository's package only") do
      inst = client(T["installation"])
      no_content("restore #{CO['trim']}", inst, inst.post("#{pkg}/versions/#{CO['trim']}/restore", headers: hv))
      no_content("delete #{CO['trim']}", inst, inst.delete("#{pkg}/versions/#{CO['trim']}", headers: hv))
      f = CO["foreign_public"]
      expect_error(Octokit::NotFound, 404, M["404_package"]) do
        inst.delete("#{route}/#{CO['owner']}/packages/#{f['package_type']}/#{f['name']}/versions/#{f['version_id']}", headers: hv)
      end
      expect_error(Octokit::Forbidden, 403, M["403_integration"]) do
        inst.delete("user/packages/container/#{CU['image']['name']}", headers: hv)
      end
    end

    check("#{v} a public version over 5000 downloads -> Octokit::BadRequest (users/#{CU['login']})") do
      cl = client(T["cleaner"])
      img = "users/#{CU['login']}/packages/container/#{CU['image']['name']}"
      expect_error(Octokit::BadRequest, 400, M["400_downloads"]) do
        cl.delete("#{img}/versions/#{CU['image']['refused'][0]}", headers: hv)
      end
      no_content("5000 downloads", cl, cl.delete("#{img}/versions/#{CU['image']['deleted'][0]}", headers: hv))
    end
  end
end

exit($failed.zero? ? 0 : 1)
