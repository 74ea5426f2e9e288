# Ruby octokit (Debian ruby-octokit): Octokit::Client with api_endpoint set to the emulator.
# `client.get` for single pages, `client.paginate` (auto_paginate: follows Link rel="next" through Sawyer,
# which splits Link on ", " and needs `<URL>; rel="name"` exactly, and stops when X-RateLimit-Remaining is 0).
# Errors are octokit's classes: Octokit::Unauthorized, Octokit::Forbidden, Octokit::NotFound.
# Octokit 4.x sends no X-GitHub-Api-Version; the version is chosen with a :headers option.
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

def expect_error(klass, status, message)
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

exit($failed.zero? ? 0 : 1)
