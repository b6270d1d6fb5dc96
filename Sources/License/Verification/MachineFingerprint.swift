import Crypto
import Foundation

/// The identity a license is bound to: a SHA-256 over the host's `/etc/machine-id`, scoped to
/// this product so the raw machine id never leaves the box in an activation request.
package struct MachineFingerprint: Sendable, Equatable, CustomStringConvertible {
    package let value: String

    package init(machineID: String) throws(LicenseError) {
        let trimmed = machineID.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count == 32, trimmed.allSatisfy(\.isHexDigit) else {
            throw LicenseError(.invalidMachineID, "expected 32 hexadecimal characters in the machine id, got \(trimmed.count) characters")
        }
        let digest = SHA256.hash(data: Data("tappass-appliance/machine/v1:\(trimmed.lowercased())".utf8))
        value = digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Reads `/etc/machine-id` (or the file given, for tests).
    package static func current(path: String = "/etc/machine-id") throws(LicenseError) -> MachineFingerprint {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw LicenseError(.invalidMachineID, "cannot read \(path)")
        }
        return try MachineFingerprint(machineID: text)
    }

    package var description: String { value }
}
