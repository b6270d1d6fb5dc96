import AdminAPI
import Audit
import Foundation
import Logging
import ServiceLifecycle
import Updater

/// The folder a USB auto-mount workflow drops signed policy bundles into
/// (`governance.bundle_inbox`): every `*.tpb` that has stopped growing is imported like
/// `tappass policy import` and moved to `accepted/`, or to `refused/` beside a `NAME.reason`
/// file that says why. Links and anything but regular files are left alone.
struct PolicyInbox: Service {
    let folder: String
    let bundles: PolicyBundles
    let logger: Logger
    var interval: Duration = .seconds(2)

    func run() async throws {
        let manager = FileManager.default
        for sub in ["", "/accepted", "/refused"] {
            try manager.createDirectory(atPath: folder + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        }
        logger.notice("watching for policy bundles", metadata: ["policy.inbox": "\(folder)"])
        await cancelWhenGracefulShutdown {
            var seen: [String: (size: Int, modified: Date)] = [:]
            while !Task.isCancelled {
                seen = await scan(previous: seen)
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Imports what has not changed since the last look; returns what it saw this time.
    func scan(previous: [String: (size: Int, modified: Date)]) async -> [String: (size: Int, modified: Date)] {
        var now: [String: (size: Int, modified: Date)] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names.sorted() where name.hasSuffix(".tpb") {
            let path = folder + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
            else { continue }
            guard let before = previous[name], before.size == size, before.modified == modified else {
                now[name] = (size, modified)
                continue
            }
            await take(name, size: size)
        }
        return now
    }

    private func take(_ name: String, size: Int) async {
        let path = folder + "/" + name
        let limit = BundleVerifier.Limits().maxCompressedBytes
        let outcome: PolicyImportOutcome
        if size > limit {
            // Never read a file larger than any bundle can be; the refusal is recorded all the same.
            let message = "\(size) bytes, more than a bundle may be (\(limit))"
            outcome = .refused(code: BundleRefusal.Code.badArchive.rawValue, message: message)
            let detail = ["source": path, "code": BundleRefusal.Code.badArchive.rawValue, "reason": message]
            await bundles.record([.event("policy.bundle_refused", detail: detail)])
        } else {
            guard let data = FileManager.default.contents(atPath: path) else { return }
            outcome = await bundles.importBundle(Array(data), source: path)
        }
        let stamp = String(Int(Date().timeIntervalSince1970))
        switch outcome {
        case .installed(let bundle):
            move(name, to: "accepted", as: "\(stamp)-\(name)")
            logger.notice(
                "policy bundle from the inbox accepted",
                metadata: ["policy.bundle_version": "\(bundle.version)", "file": "\(name)"]
            )
        case .unchanged(let bundle):
            move(name, to: "accepted", as: "\(stamp)-\(name)")
            logger.notice(
                "policy bundle from the inbox already installed",
                metadata: ["policy.bundle_version": "\(bundle.version)", "file": "\(name)"]
            )
        case .refused(let code, let message):
            let target = "\(stamp)-\(name)"
            move(name, to: "refused", as: target)
            try? Data("\(code): \(message)\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/refused/\(target).reason"))
            logger.warning("policy bundle from the inbox refused", metadata: ["file": "\(name)", "reason": "\(code): \(message)"])
        }
    }

    private func move(_ name: String, to sub: String, as target: String) {
        if rename("\(folder)/\(name)", "\(folder)/\(sub)/\(target)") != 0 {
            logger.error("cannot move a policy bundle out of the inbox", metadata: ["file": "\(name)", "errno": "\(errno)"])
        }
    }
}
