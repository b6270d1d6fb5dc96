/// A configuration problem, located: which file, which line and column, which key, what was
/// expected. `tappass` prints it and exits with status 2; nothing starts.
struct ConfigError: Error, CustomStringConvertible {
    enum Code: String {
        case unreadable = "config_unreadable"
        case syntax = "config_syntax"
        case invalidValue = "config_invalid_value"
        case unknownKey = "config_unknown_key"
        case missingKey = "config_missing_key"
    }

    var code: Code
    var file: String
    var line: Int?
    var column: Int?
    var key: String?
    var message: String

    var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        if let key, !key.isEmpty { return "\(location): \(key): \(message)" }
        return "\(location): \(message)"
    }
}
