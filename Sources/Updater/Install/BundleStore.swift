package import Foundation

/// Installed policy bundles in the state folder (`policy/` under it):
///
///     policy/index.json          the highest version ever installed, the one in force, history
///     policy/versions/12/        policy.yaml and the other payload files, bundle.tpb as imported
///     policy/current -> versions/12
///
/// An install writes the payload into a staging folder, fsyncs it, renames it into `versions/`,
/// then writes the index and swaps the `current` link, each by rename, so a crash leaves either
/// the old state or the new one. The index only ever raises the high-water mark, even when old
/// versions are pruned (at most `keep` stay) or rolled back to.
package struct BundleStore: Sendable {
    package struct Installed: Codable, Equatable, Sendable {
        package var version: UInt64
        package var digest: String
        package var signers: [String]
        package var orgID: String
        package var created: Date
        package var expires: Date?
        package var installedAt: Date

        enum CodingKeys: String, CodingKey {
            case version, digest, signers
            case orgID = "org_id"
            case created, expires
            case installedAt = "installed_at"
        }
    }

    package struct Index: Codable, Equatable, Sendable {
        /// The highest version ever installed: nothing at or below it is imported again.
        package var highest: UInt64 = 0
        /// The version in force, nil while none is.
        package var current: UInt64?
        /// Installed versions still on disk, oldest first.
        package var installed: [Installed] = []

        package init() {}
    }

    package let directory: URL
    package let keep: Int

    package init(stateDirectory: String, keep: Int = 5) {
        self.directory = URL(fileURLWithPath: stateDirectory).appendingPathComponent("policy")
        self.keep = keep
    }

    var indexFile: URL { directory.appendingPathComponent("index.json") }
    var versions: URL { directory.appendingPathComponent("versions") }

    package func index() throws -> Index {
        guard FileManager.default.fileExists(atPath: indexFile.path) else { return Index() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(Index.self, from: try Data(contentsOf: indexFile)) } catch {
            throw KeyFileError("\(indexFile.path): the bundle index cannot be read (\(error)); fix or restore it, nothing was changed")
        }
    }

    /// The policy in force: its version and `policy.yaml`, or nil when no bundle is installed.
    package func current() throws -> (version: UInt64, policy: [UInt8])? {
        guard let version = try index().current else { return nil }
        let file = versions.appendingPathComponent("\(version)/policy.yaml")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw KeyFileError("\(file.path): the installed bundle's policy is missing")
        }
        return (version, Array(data))
    }

    /// Installs a verified bundle and puts it in force.
    @discardableResult
    package func install(_ bundle: VerifiedBundle, file: [UInt8], at now: Date) throws -> Installed {
        let manager = FileManager.default
        try manager.createDirectory(at: versions, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let version = bundle.manifest.bundleVersion
        let staging = directory.appendingPathComponent("staging-\(version)")
        try? manager.removeItem(at: staging)
        try manager.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
        for (path, bytes) in bundle.payload {
            let target = staging.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Self.writeSynced(bytes, to: target)
        }
        try Self.writeSynced(file, to: staging.appendingPathComponent("bundle.tpb"))
        Self.syncDirectory(staging)
        let final = versions.appendingPathComponent("\(version)")
        try? manager.removeItem(at: final)
        try manager.moveItem(at: staging, to: final)
        Self.syncDirectory(versions)

        let installed = Installed(
            version: version,
            digest: bundle.digest,
            signers: bundle.signers,
            orgID: bundle.manifest.orgID,
            created: bundle.manifest.created,
            expires: bundle.manifest.expires,
            installedAt: now
        )
        var index = try index()
        index.highest = max(index.highest, version)
        index.installed.removeAll { $0.version == version }
        index.installed.append(installed)
        index.current = version
        let pruned = index.installed.count > keep ? Array(index.installed.prefix(index.installed.count - keep)) : []
        index.installed.removeFirst(pruned.count)
        try save(index)
        try pointCurrent(at: version)
        for old in pruned where old.version != version { try? manager.removeItem(at: versions.appendingPathComponent("\(old.version)")) }
        return installed
    }

    /// Puts an installed version back in force (`tappass policy rollback`).
    package func activate(version: UInt64) throws -> Installed {
        var index = try index()
        guard let installed = index.installed.first(where: { $0.version == version }) else {
            let have = index.installed.map { String($0.version) }.joined(separator: ", ")
            throw KeyFileError("version \(version) is not installed here (installed: \(have.isEmpty ? "none" : have))")
        }
        index.current = version
        try save(index)
        try pointCurrent(at: version)
        return installed
    }

    private func save(_ index: Index) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let temporary = directory.appendingPathComponent("index.json.tmp")
        try Self.writeSynced(Array(try encoder.encode(index)), to: temporary)
        guard rename(temporary.path, indexFile.path) == 0 else { throw KeyFileError("\(indexFile.path): cannot replace the index") }
        Self.syncDirectory(directory)
    }

    private func pointCurrent(at version: UInt64) throws {
        let link = directory.appendingPathComponent("current")
        let temporary = directory.appendingPathComponent("current.tmp")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: "versions/\(version)")
        guard rename(temporary.path, link.path) == 0 else { throw KeyFileError("\(link.path): cannot switch the current policy") }
        Self.syncDirectory(directory)
    }

    static func writeSynced(_ bytes: [UInt8], to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw KeyFileError("\(url.path): cannot write (errno \(errno))") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            guard result > 0 else { throw KeyFileError("\(url.path): cannot write (errno \(errno))") }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw KeyFileError("\(url.path): cannot sync (errno \(errno))") }
    }

    static func syncDirectory(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
