#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A name or a shell-style glob (`*`, `?`, `[...]`) as written in the configuration, a policy
/// or a key's model list: `gpt-4o`, `claude-*`.
package enum NamePattern {
    /// Whether `name` matches `pattern`: equal when the pattern has no glob character, else by
    /// the C library's fnmatch.
    package static func matches(_ pattern: String, _ name: String) -> Bool {
        guard isGlob(pattern) else { return pattern == name }
        return fnmatch(pattern, name, 0) == 0
    }

    package static func isGlob(_ pattern: String) -> Bool {
        pattern.contains(where: { "*?[".contains($0) })
    }
}
