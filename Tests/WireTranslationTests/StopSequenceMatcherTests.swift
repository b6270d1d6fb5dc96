import Testing

@testable import WireTranslation

@Suite struct StopSequenceMatcherTests {
    func run(_ chunks: [String], _ sequences: [String]) -> (String, String?) {
        var matcher = StopSequenceMatcher(sequences: sequences)
        var out = ""
        for chunk in chunks { out += matcher.feed(chunk) }
        out += matcher.flush()
        return (out, matcher.matched)
    }

    @Test func findsASequenceSplitAtEveryOffset() {
        let text = "The answer is 42.\n\nHuman: next question"
        for split in 0...text.count {
            let index = text.index(text.startIndex, offsetBy: split)
            let (out, matched) = run([String(text[..<index]), String(text[index...])], ["\n\nHuman:", "STOP"])
            #expect(out == "The answer is 42.", "split at \(split)")
            #expect(matched == "\n\nHuman:")
        }
    }

    @Test func characterByCharacter() {
        let (out, matched) = run("abcSTOPdef".map(String.init), ["STOP"])
        #expect(out == "abc" && matched == "STOP")
    }

    @Test func earliestSequenceWins() {
        #expect(StopSequenceMatcher.cut("one END two HALT", at: ["HALT", "END"]) == ("one ", "END"))
    }

    @Test func noMatchReleasesEverythingInOrder() {
        let (out, matched) = run(["partial ST", "O", "P? no: STO"], ["STOP!"])
        #expect(out == "partial STOP? no: STO" && matched == nil)
    }

    @Test func releasesAllButAPossiblePrefix() {
        var matcher = StopSequenceMatcher(sequences: ["<end>"])
        #expect(matcher.feed("hello world <e") == "hello worl")
        #expect(matcher.feed("nd> tail") == "d ")
        #expect(matcher.matched == "<end>")
        #expect(matcher.feed("more") == "")
    }

    @Test func inactiveWithoutSequences() {
        var matcher = StopSequenceMatcher(sequences: [])
        #expect(matcher.feed("anything") == "anything")
        #expect(!matcher.isActive)
    }
}
