import ArgumentParser
import Foundation

/// `tappass tls init`: the package's first-install step that gives the service a certificate
/// (see ``SelfSignedCertificate``). An existing pair is left alone, so the customer's own
/// certificate survives reinstalls and upgrades.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Manage the listener's TLS certificate.",
        subcommands: [Init.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write a self-signed certificate and key (cert.pem, key.pem) unless both exist."
        )

        @Option(help: "The folder for cert.pem and key.pem.")
        var dir = "/etc/tappass/tls"

        @Option(help: "The group that may read the key (the service's); the key is mode 0640, owner root.")
        var group: String?

        @Option(help: "A host name the certificate is for (repeatable; default: this host's name and localhost).")
        var hostname: [String] = []

        func run() async throws {
            let certificatePath = dir + "/cert.pem"
            let keyPath = dir + "/key.pem"
            let files = FileManager.default
            if files.fileExists(atPath: certificatePath) && files.fileExists(atPath: keyPath) {
                print("\(certificatePath) and \(keyPath) exist: left as they are")
                return
            }
            var names = hostname
            if names.isEmpty {
                let host = ProcessInfo.processInfo.hostName
                names = host.isEmpty || host == "localhost" ? ["localhost"] : [host, "localhost"]
            }
            let (certificate, key) = try SelfSignedCertificate.make(hostNames: names)
            try files.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            // The key is written with no access for others before any byte of it is.
            guard files.createFile(atPath: keyPath, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("cannot create \(keyPath)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: keyPath))
            try handle.write(contentsOf: Data(key.utf8))
            try handle.synchronize()
            try handle.close()
            if let group {
                guard let entry = getgrnam(group) else { throw ValidationError("--group: no group '\(group)'") }
                guard chown(keyPath, 0, entry.pointee.gr_gid) == 0 else {
                    throw ValidationError("cannot give \(keyPath) to group \(group)")
                }
                try files.setAttributes([.posixPermissions: 0o640], ofItemAtPath: keyPath)
            }
            try Data(certificate.utf8).write(to: URL(fileURLWithPath: certificatePath), options: .atomic)
            try files.setAttributes([.posixPermissions: 0o644], ofItemAtPath: certificatePath)
            print("wrote \(certificatePath) (self-signed for \(names.joined(separator: ", ")), valid 2 years) and \(keyPath)")
        }
    }
}
