import CompressNIO
import Crypto
package import Foundation
import NIOCore

/// Authoring on the offline workstation: builds a `.tpb` from a folder (`tappass policy build`)
/// and adds one signature to it (`tappass policy sign`, once per signer for a threshold). The
/// archive is deterministic: the same folder and options build the same bytes.
package enum BundleBuilder {
    /// A bundle of every regular file under `directory` (at most four levels, no links), with
    /// its manifest and no signatures yet.
    package static func build(
        directory: String,
        orgID: String,
        bundleVersion: UInt64,
        created: Date = Date(),
        expires: Date? = nil,
        minApplianceVersion: String? = nil
    ) throws -> [UInt8] {
        let files = try payload(in: directory)
        guard files.contains(where: { $0.path == "policy.yaml" }) else { throw KeyFileError("\(directory): no policy.yaml in the folder") }
        let manifest = BundleManifest(
            orgID: orgID,
            bundleVersion: bundleVersion,
            created: Date(timeIntervalSince1970: created.timeIntervalSince1970.rounded(.down)),
            expires: expires,
            minApplianceVersion: minApplianceVersion,
            files: files.map { .init(path: $0.path, sha256: BundleVerifier.sha256Hex($0.bytes), size: $0.bytes.count) }
        )
        return try archive(manifest: Array(try manifest.encoded()), signatures: BundleSignatures(), payload: files)
    }

    /// The same bundle with `key`'s signature added. Refuses a bundle this key already signed.
    package static func sign(_ file: [UInt8], with key: BundleSigningKey) throws -> [UInt8] {
        let (files, manifestBytes, signatures) = try BundleVerifier.open(file, limits: .init())
        _ = try BundleVerifier.manifest(manifestBytes)
        guard !signatures.signatures.contains(where: { $0.keyID == key.keyID }) else {
            throw KeyFileError("key \(key.keyID) has already signed this bundle")
        }
        var signed = signatures
        let signature = try key.privateKey.signature(for: BundleSignatures.message(manifest: manifestBytes))
        signed.signatures.append(.init(keyID: key.keyID, signature: signature.base64EncodedString()))
        let payload = files.filter { ![BundleVerifier.manifestName, BundleVerifier.signaturesName].contains($0.key) }
            .map { TarArchive.Entry(path: $0.key, bytes: $0.value) }
        return try archive(manifest: Array(manifestBytes), signatures: signed, payload: payload)
    }

    static func archive(manifest: [UInt8], signatures: BundleSignatures, payload: [TarArchive.Entry]) throws -> [UInt8] {
        let entries =
            [
                TarArchive.Entry(path: BundleVerifier.manifestName, bytes: manifest),
                TarArchive.Entry(path: BundleVerifier.signaturesName, bytes: Array(try signatures.encoded())),
            ] + payload
        var tar = ByteBuffer(bytes: TarArchive.write(entries))
        let compressed = try tar.compress(with: .gzip(configuration: .init(compressionLevel: .bestCompression)))
        return Array(compressed.readableBytesView)
    }

    /// The folder's regular files with paths relative to it; a link or special file is refused.
    static func payload(in directory: String) throws -> [TarArchive.Entry] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard
            let walker = FileManager.default.enumerator(
                at: root,
                includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey, .isSymbolicLinkKey]
            )
        else { throw KeyFileError("\(directory): cannot read the folder") }
        var entries: [TarArchive.Entry] = []
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey, .isSymbolicLinkKey])
            if values.isDirectory == true { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            guard values.isSymbolicLink != true, values.isRegularFile == true else {
                throw KeyFileError("\(directory)/\(path): not a regular file (a bundle holds only regular files)")
            }
            guard ![BundleVerifier.manifestName, BundleVerifier.signaturesName].contains(path) else {
                throw KeyFileError("\(directory)/\(path): a reserved name; the bundle writes it itself")
            }
            do { try TarArchive.check(path, limits: .init()) } catch { throw KeyFileError("\(directory)/\(path): \(error)") }
            entries.append(TarArchive.Entry(path: path, bytes: Array(try Data(contentsOf: url))))
        }
        return entries.sorted { $0.path < $1.path }
    }
}
