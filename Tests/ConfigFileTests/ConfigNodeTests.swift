import Testing

@testable import ConfigFile

/// The reader's promise: every complaint names the file, the line and column, the key's full
/// path and what was expected.
@Suite struct ConfigNodeTests {
    private func root(_ yaml: String) throws -> ConfigNode {
        try #require(try ConfigNode.compose(yaml: yaml, file: "/etc/tappass/test.yaml"))
    }

    @Test func unknownKeysAreRefusedWithTheirLocationAndTheAllowedOnes() throws {
        let node = try root("listen:\n  port: 8080\n  prot: 9\n")
        let listen = try #require(try node.mapping(allowed: ["listen"])["listen"])
        let error = try #require(throws: ConfigError.self) { try listen.mapping(allowed: ["port", "host"]) }
        #expect(error.code == .unknownKey)
        #expect(error.key == "listen.prot")
        #expect(error.line == 3 && error.column == 3)  // counted from 1, as editors do
        #expect(error.description == "/etc/tappass/test.yaml:3:3: listen.prot: unknown key; expected one of: host, port")
    }

    @Test func valuesOutOfRangeNameTheRangeAndWhatWasWritten() throws {
        let node = try root("pools:\n  a:\n    weight: 900\n")
        let pools = try node.mapping(allowed: ["pools"])
        let (name, pool) = try #require(try pools["pools"]?.namedEntries().first)
        #expect(name == "a")
        let weight = try #require(try pool.mapping(allowed: ["weight"])["weight"])
        let error = try #require(throws: ConfigError.self) { try weight.int(in: 1...100) }
        #expect(error.key == "pools.a.weight")
        #expect(error.message == "expected an integer from 1 to 100, got '900'")
    }

    @Test func durationsReadTheirUnitsAndRefuseTheRest() throws {
        #expect(try root("250ms").duration() == .milliseconds(250))
        #expect(try root("5s").duration() == .seconds(5))
        #expect(try root("2m").duration() == .seconds(120))
        #expect(try root("1.5").duration() == .milliseconds(1500))
        #expect(throws: ConfigError.self) { try root("-3s").duration() }
        #expect(throws: ConfigError.self) { try root("soon").duration() }
    }

    @Test func sequencesNameTheirItemsByIndex() throws {
        let items = try root("- a\n- ''\n").sequence()
        #expect(try items[0].string() == "a")
        let error = try #require(throws: ConfigError.self) { try items[1].string() }
        #expect(error.key == "[1]")
        #expect(try root("only").strings() == ["only"])
    }

    @Test func syntaxErrorsNameTheFileAndLine() throws {
        let error = try #require(throws: ConfigError.self) { try ConfigNode.compose(yaml: "a: [1,\nb: 2\n", file: "p.yaml") }
        #expect(error.code == .syntax)
        #expect(error.file == "p.yaml")
        #expect(error.line != nil)
    }

    @Test func anUnreadableFileIsAConfigError() throws {
        let error = try #require(throws: ConfigError.self) { try ConfigNode.load(path: "/nonexistent/tappass.yaml") }
        #expect(error.code == .unreadable)
        #expect(error.file == "/nonexistent/tappass.yaml")
        #expect(try ConfigNode.compose(yaml: "", file: "empty.yaml") == nil)
    }
}
