#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

@testable import PackagesEmulator

/// `FixtureLoader.load(directory:)` on real temporary directories (SPEC §10, §12).
struct FixtureDirectoryTests {
    /// A fresh fixtures directory with a valid `tokens.json` and `users/octocat.json` unless told otherwise.
    final class TempFixtures {
        let path: String

        init(tokens: String? = #"{"tokens": [{"token": "ghp_a", "login": "octocat"}]}"#, users: Bool = true) throws {
            path = NSTemporaryDirectory() + "fixtures-test-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            if let tokens { try write("tokens.json", tokens) }
            if users {
                try FileManager.default.createDirectory(atPath: path + "/users", withIntermediateDirectories: true)
                try write("users/octocat.json", #"{"login": "octocat", "id": 1}"#)
            }
        }

        func write(_ relative: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + relative))
        }

        func makeDirectory(_ relative: String) throws {
            try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: false)
        }

        func link(_ relative: String, to destination: String) throws {
            try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: destination)
        }

        func load(maxFileSize: Int = FixtureLoader.defaultMaxFileSize) -> FixtureLoadResult {
            FixtureLoader.load(directory: path, profile: .dotcom, maxFileSize: maxFileSize)
        }

        deinit {
            _ = chmod(path + "/users/octocat.json", 0o644)
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    @Test func loadsAValidDirectory() throws {
        let fixtures = try TempFixtures()
        let result = fixtures.load()
        #expect(result.errors == [])
        let token = Token(value: "ghp_a", login: "octocat", scopes: [], kind: .classic)
        #expect(result.fixtures == FixtureSet(users: [User(login: "octocat", id: 1)], tokens: [token]))
    }

    @Test func missingDirectoryIsOneErrorNamingIt() {
        let path = NSTemporaryDirectory() + "no-such-fixtures-" + UUID().uuidString
        let result = FixtureLoader.load(directory: path, profile: .dotcom)
        #expect(result.errors.map(\.description) == ["\(path): fixtures directory does not exist"])
        #expect(result.fixtures == nil)
    }

    @Test func aFileIsNotAFixturesDirectory() throws {
        let fixtures = try TempFixtures()
        let path = fixtures.path + "/tokens.json"
        #expect(FixtureLoader.load(directory: path, profile: .dotcom).errors.map(\.description)
                == ["\(path): is not a directory"])
    }

    @Test func missingTokensAndUsers() throws {
        let fixtures = try TempFixtures(tokens: nil, users: false)
        #expect(fixtures.load().errors.map(\.description) == [
            "tokens.json: missing; a fixtures directory needs tokens.json",
            "users: missing; a fixtures directory needs a users/ directory (it may be empty)",
        ])
    }

    @Test func emptyUsersDirectoryIsValid() throws {
        let fixtures = try TempFixtures(tokens: #"{"tokens": [{"token": "ghs_app"}]}"#)
        try FileManager.default.removeItem(atPath: fixtures.path + "/users/octocat.json")
        let result = fixtures.load()
        #expect(result.errors == [])
        #expect(result.fixtures?.users == [])
        #expect(result.fixtures?.tokens.count == 1)
    }

    @Test func skipsOtherFilesAndSubdirectoriesWithAWarning() throws {
        let fixtures = try TempFixtures()
        try fixtures.write("users/README.md", "notes")
        try fixtures.makeDirectory("users/archive")
        try fixtures.makeDirectory("users/old.json")
        let result = fixtures.load()
        #expect(result.errors == [])
        #expect(result.warnings == [
            "users/README.md: skipped, not a .json file",
            "users/archive: skipped, a subdirectory",
            "users/old.json: skipped, a subdirectory",
        ])
        #expect(result.fixtures?.users.map(\.login) == ["octocat"])
    }

    @Test func symlinkLoopsAndBrokenLinksAreNamedErrors() throws {
        let fixtures = try TempFixtures()
        try fixtures.link("users/loop.json", to: "loop.json")
        try fixtures.link("users/ping.json", to: "pong.json")
        try fixtures.link("users/pong.json", to: "ping.json")
        try fixtures.link("users/gone.json", to: "nowhere.json")
        let loop = "symbolic link loop (too many levels of symbolic links)"
        #expect(fixtures.load().errors.map(\.description) == [
            "users/gone.json: is a broken symbolic link",
            "users/loop.json: \(loop)",
            "users/ping.json: \(loop)",
            "users/pong.json: \(loop)",
        ])
    }

    @Test func aValidSymlinkIsFollowed() throws {
        let fixtures = try TempFixtures()
        try fixtures.write("hubot.data", #"{"login": "hubot", "id": 2}"#)
        try fixtures.link("users/hubot.json", to: "../hubot.data")
        #expect(fixtures.load().fixtures?.users.map(\.login) == ["hubot", "octocat"])
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let fixtures = try TempFixtures()
        #expect(mkfifo(fixtures.path + "/users/pipe.json", 0o644) == 0)
        #expect(fixtures.load().errors.map(\.description) == ["users/pipe.json: is not a regular file"])
    }

    @Test func tokensJSONMustBeAFile() throws {
        let fixtures = try TempFixtures(tokens: nil)
        try fixtures.makeDirectory("tokens.json")
        #expect(fixtures.load().errors.map(\.description) == ["tokens.json: is a directory, not a file"])
    }

    @Test func filesOverTheSizeLimitAreRefusedBeforeReading() throws {
        let fixtures = try TempFixtures()
        #expect(fixtures.load(maxFileSize: 100).errors == [])
        #expect(fixtures.load(maxFileSize: 30).errors.map(\.description) == [
            "tokens.json: is 52 bytes, over the limit of 30 bytes",
        ])
        #expect(FixtureLoader.defaultMaxFileSize == 64 * 1024 * 1024)
    }

    @Test(.enabled(if: getuid() != 0, "root reads every file"))
    func unreadableFileIsANamedError() throws {
        let fixtures = try TempFixtures()
        #expect(chmod(fixtures.path + "/users/octocat.json", 0) == 0)
        #expect(fixtures.load().errors.map(\.description) == [
            #"tokens.json: $.tokens[0].login: "octocat" is not the login of any user"#,
            "users/octocat.json: cannot be read: permission denied",
        ])
    }

    @Test func errorsAreOrderedByFile() throws {
        let fixtures = try TempFixtures(tokens: #"{"tokens": [{"token": "", "login": "a"}]}"#)
        try fixtures.write("users/b.json", #"{"login": "b", "id": "2"}"#)
        try fixtures.write("users/a.json", #"{"login": "a", "id": 1.5}"#)
        #expect(fixtures.load().errors.map(\.description) == [
            "tokens.json: $.tokens[0].token: must not be empty",
            "users/a.json: $.id: expected a positive integer, got number 1.5",
            #"users/b.json: $.id: expected a positive integer, got string "2""#,
        ])
    }
}
