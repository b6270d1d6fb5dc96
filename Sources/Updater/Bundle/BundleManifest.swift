package import Foundation

/// `manifest.json`: what a policy bundle is and holds. Signatures cover its exact bytes, so every
/// field here is what the signers agreed to. Unknown keys are refused: a field this appliance
/// does not understand could be a condition it would otherwise ignore.
package struct BundleManifest: Codable, Equatable, Sendable {
    package static let currentFormat = "tappass-policy-bundle/1"

    /// One payload file: its path in the archive, SHA-256 (lower-case hex) and size in bytes.
    package struct File: Codable, Equatable, Sendable {
        package var path: String
        package var sha256: String
        package var size: Int

        package init(path: String, sha256: String, size: Int) {
            self.path = path
            self.sha256 = sha256
            self.size = size
        }
    }

    package var format: String
    package var orgID: String
    /// Strictly increasing across the organisation's bundles.
    package var bundleVersion: UInt64
    package var created: Date
    package var expires: Date?
    /// The lowest appliance version that may apply it (`1.4.0`).
    package var minApplianceVersion: String?
    package var files: [File]

    package init(
        orgID: String,
        bundleVersion: UInt64,
        created: Date,
        expires: Date? = nil,
        minApplianceVersion: String? = nil,
        files: [File]
    ) {
        self.format = Self.currentFormat
        self.orgID = orgID
        self.bundleVersion = bundleVersion
        self.created = created
        self.expires = expires
        self.minApplianceVersion = minApplianceVersion
        self.files = files
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format
        case orgID = "org_id"
        case bundleVersion = "bundle_version"
        case created, expires
        case minApplianceVersion = "min_appliance_version"
        case files
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown,
                in: container,
                debugDescription: "unknown key '\(unknown.stringValue)' (known: \(known.sorted().joined(separator: ", ")))"
            )
        }
        let values = try decoder.container(keyedBy: CodingKeys.self)
        format = try values.decode(String.self, forKey: .format)
        orgID = try values.decode(String.self, forKey: .orgID)
        bundleVersion = try values.decode(UInt64.self, forKey: .bundleVersion)
        created = try values.decode(Date.self, forKey: .created)
        expires = try values.decodeIfPresent(Date.self, forKey: .expires)
        minApplianceVersion = try values.decodeIfPresent(String.self, forKey: .minApplianceVersion)
        files = try values.decode([File].self, forKey: .files)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The manifest's bytes as `policy build` writes them: sorted keys, ISO 8601 times in UTC.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self) + Data("\n".utf8)
    }

    package static func decode(_ data: Data) throws -> BundleManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(BundleManifest.self, from: data)
    }
}

/// `signatures.json`: Ed25519 signatures over ``message(manifest:)``, each with the id of the
/// key that made it (the SHA-256 of its raw public key, lower-case hex).
package struct BundleSignatures: Codable, Equatable, Sendable {
    package struct Signature: Codable, Equatable, Sendable {
        package var keyID: String
        /// Base64 of the 64-byte signature.
        package var signature: String

        package init(keyID: String, signature: String) {
            self.keyID = keyID
            self.signature = signature
        }

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id"
            case signature
        }
    }

    package var signatures: [Signature]

    package init(signatures: [Signature] = []) {
        self.signatures = signatures
    }

    /// What a signature covers: a domain string, so a signature made for anything else (a
    /// license, another format version) never verifies here, then the manifest's exact bytes.
    package static func message(manifest: Data) -> Data {
        Data("tappass policy bundle v1\n".utf8) + manifest
    }

    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
