package import Detection

extension Detectors {
    /// The detectors of the built-in default policy.
    package static let standard = Detectors(exfiltration: DefaultPolicy.policy.exfiltration)

    /// What the built-in default policy's detectors find in `text`.
    package static func scan(_ text: String) -> [Finding] {
        standard.scan(text)
    }
}
