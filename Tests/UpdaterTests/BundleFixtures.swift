import CompressNIO
import Foundation
import NIOCore

@testable import Updater

/// Bundles made the way `tappass policy build` and `sign` make them, and raw archives made by
/// hand for what those commands never write (links, devices, traversal).
enum BundleFixtures {
    static let org = "org-acme"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let alice = BundleSigningKey()
    static let bob = BundleSigningKey()
    static let mallory = BundleSigningKey()
    static let policy = Array("version: 1\nname: acme\nactions:\n  secret: block\n".utf8)

    static func trust(threshold: Int = 1, keys: [BundleSigningKey] = [alice, bob]) -> BundleTrust {
        BundleTrust(orgID: org, keys: Dictionary(uniqueKeysWithValues: keys.map { ($0.keyID, $0.publicKey) }), threshold: threshold)
    }

    static func verifier(
        threshold: Int = 1,
        keys: [BundleSigningKey] = [alice, bob],
        installed: UInt64 = 3,
        now: Date = now,
        applianceVersion: String = "1.4.0"
    ) -> BundleVerifier {
        BundleVerifier(
            trust: trust(threshold: threshold, keys: keys),
            highestInstalled: installed,
            now: now,
            applianceVersion: applianceVersion
        ) { payload in
            guard let policy = payload["policy.yaml"], String(decoding: policy, as: UTF8.self).hasPrefix("version: 1\n") else {
                throw KeyFileError("policy.yaml: expected schema version 1")
            }
        }
    }

    /// A folder with `files`, removed by the caller.
    static func folder(_ files: [String: [UInt8]]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)")
        for (path, bytes) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return root.path
    }

    static func bundle(
        version: UInt64 = 4,
        org: String = org,
        expires: Date? = nil,
        minApplianceVersion: String? = nil,
        files: [String: [UInt8]] = ["policy.yaml": policy, "lists/domains.txt": Array("paste.example\n".utf8)],
        signers: [BundleSigningKey] = [alice]
    ) throws -> [UInt8] {
        let directory = try folder(files)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var file = try BundleBuilder.build(
            directory: directory,
            orgID: org,
            bundleVersion: version,
            created: now.addingTimeInterval(-3600),
            expires: expires,
            minApplianceVersion: minApplianceVersion
        )
        for key in signers { file = try BundleBuilder.sign(file, with: key) }
        return file
    }

    /// The archive's entries (after gunzip), to take apart and put together differently.
    static func entries(_ file: [UInt8]) throws -> [TarArchive.Entry] {
        try TarArchive.read(try BundleVerifier.gunzip(file, limits: .init()))
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        return Array(try buffer.compress(with: .gzip()).readableBytesView)
    }

    /// A ustar header for `name` with `type` (`0` file, `1` hard link, `2` symlink, `3` device…),
    /// followed by `bytes` padded to a block.
    static func rawEntry(_ name: String, type: Character, bytes: [UInt8] = [], link: String = "") -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte } }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(repeating: "0", count: 11 - String(bytes.count, radix: 8).count) + String(bytes.count, radix: 8), at: 124)
        put("00000000000", at: 136)
        header[156] = type.asciiValue!
        put(link, at: 157)
        put("ustar", at: 257)
        put("00", at: 263)
        put("        ", at: 148)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8), at: 148)
        header[154] = 0
        return header + bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
    }

    /// A valid bundle's entries with `extra` raw entries appended, as a `.tpb`.
    static func withRawEntries(_ extra: [UInt8]) throws -> [UInt8] {
        let tar = TarArchive.write(try entries(try bundle()))
        return try gzip(Array(tar.dropLast(1024)) + extra + [UInt8](repeating: 0, count: 1024))
    }
}
