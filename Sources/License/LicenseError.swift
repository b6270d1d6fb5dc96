/// Why a license operation failed, with a stable code.
package struct LicenseError: Error, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        case invalidMachineID = "invalid_machine_id"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code.rawValue): \(message)" }
}
