package import Detection

/// The policy for one caller: merged actions, model rules of every level, content capture and
/// the two budgets that apply.
package struct EffectivePolicy: Sendable, Equatable {
    package var actions: [String: PolicyAction]
    /// Every level's model rules; a model must pass all of them.
    package var models: [Policy.ModelRules]
    package var auditContent: Policy.AuditContent
    package var keyQuota: QuotaLimits?
    package var teamQuota: QuotaLimits?

    /// A type's own action, else its category's, else `flag`: something found is never silently allowed.
    package func action(for finding: Finding) -> PolicyAction {
        actions[finding.type] ?? actions[finding.category.rawValue] ?? .flag
    }

    package func permits(model: String) -> Bool {
        models.allSatisfy { $0.permits(model) }
    }
}
