import CompressNIO
import Foundation
import NIOCore
import Testing

@testable import Updater

/// Every way a bundle can be wrong is refused with a reason that names it; a good bundle
/// verifies to exactly what was signed.
@Suite struct BundleVerifierTests {
    typealias F = BundleFixtures

    @Test func aSignedBundleVerifiesToWhatWasSigned() throws {
        let file = try F.bundle(signers: [F.alice, F.bob])
        let verified = try F.verifier(threshold: 2).verify(file)
        #expect(verified.manifest.bundleVersion == 4 && verified.manifest.orgID == F.org)
        #expect(verified.payload == ["policy.yaml": F.policy, "lists/domains.txt": Array("paste.example\n".utf8)])
        #expect(Set(verified.signers) == [F.alice.keyID, F.bob.keyID])
        #expect(verified.digest.count == 64)
    }

    @Test func theSameFolderBuildsTheSameBytes() throws {
        #expect(try F.bundle() == F.bundle())
    }

    /// A refusal's code and a fragment of its message.
    static func refused(_ file: [UInt8], by verifier: BundleVerifier = F.verifier()) -> BundleRefusal? {
        do {
            _ = try verifier.verify(file)
            return nil
        } catch {
            return error
        }
    }

    @Test func signatureFaults() throws {
        // The manifest changed after signing (a later expiry written in).
        var entries = try F.entries(try F.bundle())
        let index = try #require(entries.firstIndex { $0.path == "manifest.json" })
        entries[index].bytes = Array(
            String(decoding: entries[index].bytes, as: UTF8.self).replacingOccurrences(
                of: "\"bundle_version\" : 4",
                with: "\"bundle_version\" : 9"
            ).utf8
        )
        let edited = try F.gzip(TarArchive.write(entries))
        #expect(Self.refused(edited)?.code == .badSignature)

        #expect(Self.refused(try F.bundle(signers: [F.alice]), by: F.verifier(threshold: 2))?.code == .tooFewSignatures)
        let unknown = Self.refused(try F.bundle(signers: [F.mallory]))
        #expect(unknown?.code == .tooFewSignatures && unknown?.message.contains(F.mallory.keyID) == true)
        // A key from an older license: the license in force no longer names it.
        #expect(Self.refused(try F.bundle(signers: [F.bob]), by: F.verifier(keys: [F.alice]))?.code == .tooFewSignatures)
        #expect(Self.refused(try F.bundle(), by: F.verifier(keys: []))?.code == .noTrust)
    }

    @Test func oneKeyCountsOnce() throws {
        // The same signature twice in signatures.json.
        var entries = try F.entries(try F.bundle(signers: [F.alice]))
        let index = try #require(entries.firstIndex { $0.path == "signatures.json" })
        let signatures = try JSONDecoder().decode(BundleSignatures.self, from: Data(entries[index].bytes))
        entries[index].bytes = Array(try BundleSignatures(signatures: signatures.signatures + signatures.signatures).encoded())
        #expect(Self.refused(try F.gzip(TarArchive.write(entries)), by: F.verifier(threshold: 2))?.code == .tooFewSignatures)
        // The same public key trusted under two ids.
        var trust = F.trust(threshold: 2, keys: [F.alice])
        trust.keys["alias"] = F.alice.publicKey
        var verifier = F.verifier()
        verifier.trust = trust
        var doubled = try F.entries(try F.bundle(signers: [F.alice]))
        doubled[index].bytes = Array(
            try BundleSignatures(signatures: signatures.signatures + [.init(keyID: "alias", signature: signatures.signatures[0].signature)])
                .encoded()
        )
        #expect(Self.refused(try F.gzip(TarArchive.write(doubled)), by: verifier)?.code == .tooFewSignatures)
    }

    @Test func termsFaults() throws {
        #expect(Self.refused(try F.bundle(org: "org-other"))?.code == .wrongOrg)
        #expect(Self.refused(try F.bundle(version: 3))?.code == .notNewer, "equal to the installed version")
        #expect(Self.refused(try F.bundle(version: 2))?.code == .notNewer, "older")
        let expires = F.now.addingTimeInterval(-60)
        #expect(Self.refused(try F.bundle(expires: expires))?.code == .expired)
        // The clock was set back: the caller judges at the license's high-water mark, not the clock.
        let judgedLater = F.verifier(now: F.now)
        let fresh = try F.bundle(expires: F.now.addingTimeInterval(-1))
        #expect(Self.refused(fresh, by: judgedLater)?.code == .expired)
        #expect(Self.refused(fresh, by: F.verifier(now: F.now.addingTimeInterval(-7200))) == nil, "valid at the earlier time")
        #expect(Self.refused(try F.bundle(minApplianceVersion: "1.10.0"))?.code == .needsNewerAppliance)
        #expect(Self.refused(try F.bundle(minApplianceVersion: "1.4"), by: F.verifier(applianceVersion: "1.4.0")) == nil)
    }

    @Test func payloadFaults() throws {
        let good = try F.entries(try F.bundle())
        func with(_ change: (inout [TarArchive.Entry]) -> Void) throws -> [UInt8] {
            var entries = good
            change(&entries)
            return try F.gzip(TarArchive.write(entries))
        }
        let changed = try with { entries in
            let index = entries.firstIndex { $0.path == "policy.yaml" }!
            entries[index].bytes = Array("version: 1\nname: acme\nactions:\n  secret: allow\n".utf8)
        }
        #expect(Self.refused(changed)?.code == .payloadMismatch)
        let missing = try with { $0.removeAll { $0.path == "lists/domains.txt" } }
        #expect(Self.refused(missing)?.message.contains("listed but not in the bundle") == true)
        let extra = try with { $0.append(.init(path: "lists/extra.txt", bytes: [0x41])) }
        #expect(Self.refused(extra)?.message.contains("not listed") == true)
        let invalid = try F.bundle(files: ["policy.yaml": Array("version: 7\n".utf8)])
        #expect(Self.refused(invalid)?.code == .invalidPayload)
        let noPolicy = try? F.bundle(files: ["rules.yaml": F.policy])
        #expect(noPolicy == nil, "policy build refuses a folder without policy.yaml")
    }

    @Test(
        arguments: [
            ("../etc/passwd", "0", "climbs out"), ("/etc/passwd", "0", "absolute"), ("lists/../../x", "0", "climbs out"),
            ("link", "2", "symbolic link"), ("hard", "1", "hard link"), ("tty", "3", "device node"), ("fifo", "6", "FIFO"),
            ("policy.yaml", "0", "appears twice"), ("a/b/c/d/e", "0", "nested deeper"), ("././x", "0", "empty or '.'"),
            ("PaxHeader", "x", "pax"),
        ] as [(String, Character, String)]
    )
    func archiveFaults(name: String, type: Character, expected: String) throws {
        let file = try F.withRawEntries(F.rawEntry(name, type: type, bytes: type == "0" ? [0x41] : [], link: "/etc/shadow"))
        let refusal = Self.refused(file)
        #expect(refusal?.code == .badArchive, "\(name)")
        #expect(refusal?.message.contains(expected) == true, "\(name): \(refusal?.message ?? "accepted")")
    }

    @Test func notABundleAtAll() throws {
        let good = try F.bundle()
        #expect(Self.refused(Array(good.prefix(good.count / 2)))?.code == .badArchive, "truncated gzip")
        #expect(Self.refused(try F.gzip(Array("just some text, not a tar".utf8)))?.code == .badArchive, "not a tar")
        let license = Array(#"{"format": "tappass-license/1", "payload": "e30=", "signature": "AA=="}"#.utf8)
        #expect(Self.refused(license)?.message.contains("not a gzip file") == true, "a license renamed to .tpb")
        #expect(Self.refused(good + [0x1F, 0x8B, 0x08])?.code == .badArchive, "bytes after the gzip stream")
        // Small archive, huge content.
        let bomb = try F.gzip([UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 200_000)
        #expect(Self.refused(bomb)?.message.contains("decompression bomb") == true)
        #expect(Self.refused([UInt8](repeating: 0x1F, count: 5 << 20))?.message.contains("more than a bundle may be") == true)
    }

    @Test func manifestFaults() throws {
        let good = try F.entries(try F.bundle())
        func replacingManifest(_ text: String) throws -> [UInt8] {
            var entries = good
            entries[entries.firstIndex { $0.path == "manifest.json" }!].bytes = Array(text.utf8)
            return try F.gzip(TarArchive.write(entries))
        }
        let manifest = String(decoding: good.first { $0.path == "manifest.json" }!.bytes, as: UTF8.self)
        let duplicate = manifest.replacingOccurrences(of: "\"org_id\"", with: "\"org_id\" : \"org-acme\",\n  \"org_id\"")
        #expect(Self.refused(try replacingManifest(duplicate))?.message.contains("appears twice") == true)
        #expect(Self.refused(try replacingManifest("\u{FEFF}" + manifest))?.code == .badManifest)
        #expect(Self.refused(try replacingManifest(manifest + "{}"))?.message.contains("after the JSON value") == true)
        let unknownKey = manifest.replacingOccurrences(of: "\"org_id\"", with: "\"allow_all\" : true,\n  \"org_id\"")
        #expect(Self.refused(try replacingManifest(unknownKey))?.message.contains("unknown key 'allow_all'") == true)
    }

    /// Random byte changes anywhere in a valid bundle: each is refused, or (a change gzip does
    /// not see, such as its header's time) verifies to exactly the same contents.
    @Test func mutationsAreRefusedOrHarmless() throws {
        let file = try F.bundle(signers: [F.alice])
        let verifier = F.verifier()
        let reference = try verifier.verify(file)
        var generator = SplitMix(seed: 2026)
        var refusedCount = 0
        for _ in 0..<400 {
            var mutated = file
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let position = Int(generator.next() % UInt64(mutated.count))
                mutated[position] ^= UInt8(1 + generator.next() % 255)
            }
            do {
                let verified = try verifier.verify(mutated)
                #expect(verified.payload == reference.payload && verified.manifest == reference.manifest)
            } catch {
                refusedCount += 1
            }
        }
        #expect(refusedCount > 300)
    }
}

/// A small seeded generator, so the mutation test is the same every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
