/// Bodies of the account routes (SPEC §19): GitHub's `public-user` and `GET /rate_limit`.
struct AccountRenderer {
    let webURL: String

    /// Where the fixture has no `created_at` (choice).
    static let defaultCreatedAt = "2011-01-25T18:44:36Z"

    /// Every key of GitHub's `public-user`, in the order of GitHub's examples: the simple-user's, then
    /// the profile; what fixtures do not hold is `null`, `""` (`blog`), `0` or `false`.
    func publicUser(_ owner: Owner) -> Template {
        // At depth 1, as every object the API answers alone: the body is outdented once, when sent.
        var json = JSONWriter(depth: 1)
        json.beginObject()
        PackageRenderer(webURL: webURL).simpleUserMembers(owner, into: &json)
        json.key("name")
        json.optionalString(owner.name)
        json.key("company")
        json.null()
        json.key("blog")
        json.string("")
        for key in ["location", "email", "hireable", "bio", "twitter_username"] {
            json.key(key)
            json.null()
        }
        for key in ["public_repos", "public_gists", "followers", "following"] {
            json.key(key)
            json.int(0)
        }
        let created = owner.createdAt ?? Self.defaultCreatedAt
        json.key("created_at")
        json.string(created)
        json.key("updated_at")
        json.string(created)
        json.endObject()
        return json.template
    }

    /// `{"resources": {"core", "search", "graphql"}, "rate"}`: the caller's bucket in `core` and `rate`;
    /// `search` (30 a minute) and `graphql` (5000 an hour) are GitHub's defaults, never used up.
    static func rateLimit(_ state: RateLimiter.State, now: Int64) -> [UInt8] {
        var json = JSONWriter()
        func bucket(limit: Int64, used: Int64, reset: Int64) {
            json.beginObject()
            json.key("limit")
            json.int(limit)
            json.key("used")
            json.int(used)
            json.key("remaining")
            json.int(max(0, limit - used))
            json.key("reset")
            json.int(reset)
            json.endObject()
        }
        json.beginObject()
        json.key("resources")
        json.beginObject()
        json.key("core")
        bucket(limit: state.limit, used: state.used, reset: state.reset)
        json.key("search")
        bucket(limit: 30, used: 0, reset: now + 60)
        json.key("graphql")
        bucket(limit: 5000, used: 0, reset: now + 3600)
        json.endObject()
        json.key("rate")
        bucket(limit: state.limit, used: state.used, reset: state.reset)
        json.endObject()
        return json.bytes
    }
}
