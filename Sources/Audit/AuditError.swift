/// A problem with the audit log's storage or data, in words for an operator.
package struct AuditError: Error, CustomStringConvertible, Sendable {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
