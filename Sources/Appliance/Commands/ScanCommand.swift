import ArgumentParser
import Detection
import Foundation
import Gateway
import Governance

/// `tappass scan`: the detectors as a command, for trying policy on sample data and for batch
/// checks. Offsets are in Unicode scalars; the action is the given policy's defaults (the
/// built-in default policy without `--policy`).
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find secrets and personal data in text (a file, or - for stdin)."
    )

    @Argument(help: "The file to scan, or - for standard input.") var file = "-"
    @Option(help: "A policy YAML file: its detectors (exfiltration lists, patterns) and actions.") var policy: String?
    @Option(help: "text or json.") var format = "text"
    @Flag(help: "Read lines of {\"id\",\"text\"}; write lines of {\"id\",\"findings\"}, streaming.") var jsonl = false
    @Flag(help: "Print bytes scanned, findings and the detectors' own time and MB/s on stderr.") var stats = false

    struct Reported: Encodable {
        var start: Int
        var end: Int
        var type: String
        var category: String
        var action: String
        /// Set when the value was found by decoding the span (`base64`, `hex`, `percent`).
        var encoding: String?
        /// The rule's evidence, and how sure it is (``FindingExplanation``).
        var reason: String
        var confidence: String

        init(_ finding: Finding, in text: String, policy: EffectivePolicy) {
            start = finding.start
            end = finding.end
            type = finding.type
            category = finding.category.rawValue
            action = policy.action(for: finding).rawValue
            encoding = finding.encoding
            // UTF-8 offsets index a native string in constant time.
            let utf8 = text.utf8
            let lower = utf8.index(utf8.startIndex, offsetBy: min(finding.utf8Range.lowerBound, utf8.count))
            let upper = utf8.index(utf8.startIndex, offsetBy: min(finding.utf8Range.upperBound, utf8.count))
            let explanation = FindingExplanation.explain(finding, value: Substring(text[lower..<upper]))
            reason = explanation.reason
            confidence = explanation.confidence.rawValue
        }
    }

    struct Line: Codable {
        var id: String
        var text: String
    }

    struct LineResult: Encodable {
        var id: String
        var findings: [Reported]
    }

    func run() async throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format: expected text or json, got '\(format)'") }
        var chosen = DefaultPolicy.policy
        if let policy {
            do { chosen = try PolicyReader.load(path: policy) } catch {
                FileHandle.standardError.write(Data("tappass: invalid policy: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        let effective = chosen.effective(key: "", team: "")
        let detectors = Detectors(exfiltration: chosen.exfiltration)
        var scanned = 0
        var found = 0
        var elapsed = Duration.zero
        let report = { (text: String) in
            let start = ContinuousClock.now
            let findings = detectors.scan(text)
            elapsed += .now - start
            scanned += text.utf8.count
            found += findings.count
            return findings.map { Reported($0, in: text, policy: effective) }
        }
        defer {
            if stats {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let rate = seconds > 0 ? Double(scanned) / 1_048_576 / seconds : 0
                let line =
                    "scanned \(scanned) bytes, \(found) findings, detectors \(String(format: "%.3f", seconds)) s, "
                    + "\(String(format: "%.1f", rate)) MB/s\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        let handle: FileHandle
        if file == "-" {
            handle = .standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read '\(file)'") }
            handle = opened
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if jsonl {
            var number = 0
            var pending = Data()
            var ended = false
            while !ended {
                let chunk = handle.readData(ofLength: 1 << 16)
                ended = chunk.isEmpty
                pending.append(chunk)
                var lines: [Data] = []
                var lineStart = pending.startIndex
                while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
                    lines.append(pending[lineStart..<newline])
                    lineStart = pending.index(after: newline)
                }
                pending = Data(pending[lineStart...])
                if ended && !pending.isEmpty { lines.append(pending) }
                for line in lines {
                    number += 1
                    try scanLine(line, number: number, encoder: encoder, report: report)
                }
            }
            return
        }
        let data = try handle.readToEnd() ?? Data()
        let findings = report(String(decoding: data, as: UTF8.self))
        if format == "json" {
            print(String(decoding: try encoder.encode(["findings": findings]), as: UTF8.self))
            return
        }
        for finding in findings {
            let encoded = finding.encoding.map { "\t\($0)" } ?? ""
            print("\(finding.start)-\(finding.end)\t\(finding.category)\t\(finding.type)\t\(finding.action)\(encoded)")
        }
        if findings.isEmpty { FileHandle.standardError.write(Data("no findings\n".utf8)) }
    }

    /// One `{"id","text"}` line in, one `{"id","findings"}` line out.
    func scanLine(_ line: Data, number: Int, encoder: JSONEncoder, report: (String) -> [Reported]) throws {
        guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) else { return }
        guard let parsed = try? JSONDecoder().decode(Line.self, from: line) else {
            throw ValidationError("\(file):\(number): expected a JSON object with \"id\" and \"text\"")
        }
        let result = LineResult(id: parsed.id, findings: report(parsed.text))
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}
