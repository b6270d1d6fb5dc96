package import Foundation

/// What `tappass license request` writes for the customer to carry to the vendor: which machine
/// to bind the license to, and nothing secret (the machine id itself stays on the box, see
/// ``MachineFingerprint``). The vendor's answer names `requestID` in its terms.
package struct ActivationRequest: Codable, Sendable, Equatable {
    package static let format = "tappass-activation-request/1"

    package var format: String
    package var requestID: String
    package var machine: String
    /// The machine's components, hashed (``MachineFingerprint/Component``); absent in requests
    /// made before components existed.
    package var components: [MachineFingerprint.Component]?
    package var hostname: String
    package var productVersion: String
    package var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case format
        case requestID = "request_id"
        case machine
        case components
        case hostname
        case productVersion = "product_version"
        case createdAt = "created_at"
    }

    package init(
        machine: MachineFingerprint,
        hostname: String,
        productVersion: String,
        createdAt: Date,
        requestID: String = UUID().uuidString.lowercased()
    ) {
        self.format = Self.format
        self.requestID = requestID
        self.machine = machine.value
        self.components = machine.components
        self.hostname = hostname
        self.productVersion = productVersion
        self.createdAt = createdAt
    }

    package func encoded() throws -> Data {
        try LicenseJSON.encoder.encode(self)
    }

    package static func parse(_ data: Data) throws(LicenseError) -> ActivationRequest {
        let request: ActivationRequest
        do { request = try LicenseJSON.decoder.decode(ActivationRequest.self, from: data) } catch {
            throw LicenseError(.malformed, "not an activation request: \(LicenseJSON.describe(error))")
        }
        guard request.format == format else {
            throw LicenseError(.malformed, "field 'format': expected '\(format)', got '\(request.format)'")
        }
        guard request.machine.count == 64, request.machine.allSatisfy(\.isHexDigit) else {
            throw LicenseError(.malformed, "field 'machine': expected a 64-character machine fingerprint")
        }
        for (index, component) in (request.components ?? []).enumerated()
        where component.digest.count != 64 || !component.digest.allSatisfy(\.isHexDigit) {
            throw LicenseError(.malformed, "field 'components[\(index)].digest': expected a 64-character SHA-256")
        }
        return request
    }
}
