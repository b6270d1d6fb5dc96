package import Foundation
import StrictJSON

/// The shape every license-side file (license, activation request, history) must have before any
/// decoder reads it: at most 64 KiB, and strict JSON (``StrictJSON``: one value, UTF-8, no
/// byte-order mark, no duplicate key, nothing after it).
package enum LicenseFileShape {
    /// Larger than any license, request or history file can honestly be.
    package static let maxBytes = 64 << 10

    package static func check(_ data: Data, what: String) throws(LicenseError) {
        guard data.count <= maxBytes else {
            throw LicenseError(.malformed, "\(what): more than \(maxBytes) bytes, larger than a license can be")
        }
        do {
            try StrictJSON.check(data, maxBytes: maxBytes, what: what)
        } catch {
            throw LicenseError(.malformed, error.description)
        }
    }
}
