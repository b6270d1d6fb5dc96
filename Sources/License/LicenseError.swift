/// Why a license operation failed, with a stable code (also the `code` of a `license.refused`
/// audit event) and a message that says what was expected.
package struct LicenseError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable {
        case invalidMachineID = "invalid_machine_id"
        /// Not a license file: not JSON, wrong format tag, a field missing or of the wrong type.
        case malformed
        /// Signed with a key id this build does not trust.
        case unknownKey = "unknown_key"
        /// The signature does not match the signed bytes (edited, or signed by another key).
        case badSignature = "bad_signature"
        /// Issued for another machine.
        case wrongMachine = "wrong_machine"
        case notYetValid = "not_yet_valid"
        case expired
        /// Issued before the license already active: an old file replayed.
        case superseded
        /// The state folder cannot be read or written.
        case stateUnreadable = "state_unreadable"
        /// The state folder says something no honest history can (an evaluation that starts in
        /// the future): it was edited.
        case stateTampered = "state_tampered"
        /// The system clock is far behind the time the appliance has already seen.
        case clockBehind = "clock_behind"
        /// This appliance has held a license: a new evaluation does not start.
        case evaluationUsed = "evaluation_used"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code.rawValue): \(message)" }
}
