import Foundation

/// Policy-signing keys a local administrator pinned (`tappass policy trust add`), for an
/// appliance in evaluation, which has no license to name them: `policy/trust.json` in the state
/// folder. A license that names policy keys always wins over these.
package struct PinnedTrust: Codable, Equatable, Sendable {
    package var orgID: String
    package var threshold: Int
    /// Raw Ed25519 public keys (base64) by key id (their SHA-256, lower-case hex).
    package var keys: [String: String]

    package init(orgID: String, threshold: Int = 1, keys: [String: String] = [:]) {
        self.orgID = orgID
        self.threshold = threshold
        self.keys = keys
    }

    enum CodingKeys: String, CodingKey {
        case orgID = "org_id"
        case threshold, keys
    }

    package var trust: BundleTrust {
        BundleTrust(orgID: orgID, keys: keys.compactMapValues { Data(base64Encoded: $0) }, threshold: threshold)
    }

    static func file(_ stateDirectory: String) -> URL {
        URL(fileURLWithPath: stateDirectory).appendingPathComponent("policy/trust.json")
    }

    /// The pinned keys, or nil when none are.
    package static func load(stateDirectory: String) throws -> PinnedTrust? {
        let url = file(stateDirectory)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(PinnedTrust.self, from: try Data(contentsOf: url)) } catch {
            throw KeyFileError("\(url.path): the pinned policy keys cannot be read (\(error))")
        }
    }

    /// Writes the pinned keys (removes the file when none are left).
    package func save(stateDirectory: String) throws {
        let url = Self.file(stateDirectory)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(),
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o750]
        )
        guard !keys.isEmpty else {
            try? FileManager.default.removeItem(at: url)
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = url.appendingPathExtension("tmp")
        try BundleStore.writeSynced(Array(try encoder.encode(self)), to: temporary)
        guard rename(temporary.path, url.path) == 0 else { throw KeyFileError("\(url.path): cannot replace the pinned keys") }
    }
}
