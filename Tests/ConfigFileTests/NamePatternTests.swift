import Testing

@testable import ConfigFile

@Suite struct NamePatternTests {
    @Test(arguments: [
        ("gpt-*", "gpt-4o", true), ("gpt-*", "claude", false), ("a?c", "abc", true), ("[ab]x", "bx", true), ("exact", "exact", true),
        ("exact", "exact-2", false),
    ])
    func globs(pattern: String, name: String, matches: Bool) {
        #expect(NamePattern.matches(pattern, name) == matches)
    }

    @Test func onlyGlobCharactersMakeAGlob() {
        #expect(NamePattern.isGlob("claude-*"))
        #expect(!NamePattern.isGlob("claude-3.5-sonnet"))
    }
}
