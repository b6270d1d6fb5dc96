import AdminAPI
import Foundation
import Gateway
import Testing

@testable import Appliance

/// What the service tells systemd and journald, and the certificate a fresh install serves.
@Suite struct SystemdIntegrationTests {
    @Test func requestFieldsHaveTheirShortJournalNames() {
        #expect(JournalLogHandler.fieldName("request.id") == "TAPPASS_REQUEST_ID")
        #expect(JournalLogHandler.fieldName("request.verdict") == "TAPPASS_VERDICT")
        #expect(JournalLogHandler.fieldName("user") == "TAPPASS_USER")
        #expect(JournalLogHandler.fieldName("audit.path") == "TAPPASS_AUDIT_PATH")
        #expect(JournalLogHandler.fieldName("-") == "TAPPASS_FIELD")
    }

    @Test func theLicenseHalfOfTheStatusLine() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var summary = LicenseSummary(
            state: "evaluation",
            detail: "",
            serving: true,
            machine: "m",
            entitlements: [],
            validUntil: now.addingTimeInterval(24.5 * 86_400)
        )
        #expect(ServeCommand.licenseStatus(summary, now: now) == "license: evaluation, 24 days left")
        summary.serving = false
        summary.state = "evaluation-ended"
        #expect(ServeCommand.licenseStatus(summary, now: now) == "license: evaluation-ended")
    }

    @Test func aSelfSignedCertificateIsMadeAndReportedAsSuch() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = Date()
        let (certificate, key) = try SelfSignedCertificate.make(hostNames: ["gw.example", "localhost"], now: now)
        #expect(key.contains("PRIVATE KEY"))
        let path = folder.appendingPathComponent("cert.pem").path
        try Data(certificate.utf8).write(to: URL(fileURLWithPath: path))
        let fresh = try SelfSignedCertificate.warnings(certificateAt: path, now: now)
        #expect(fresh.count == 1 && fresh[0].contains("self-signed"))
        let late = try SelfSignedCertificate.warnings(
            certificateAt: path,
            now: now.addingTimeInterval(SelfSignedCertificate.validity - 5 * 86_400)
        )
        #expect(late.contains { $0.contains("expires in 4 days") || $0.contains("expires in 5 days") }, "\(late)")
        #expect(throws: (any Error).self) {
            try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: path))
            _ = try SelfSignedCertificate.warnings(certificateAt: path)
        }
    }
}
