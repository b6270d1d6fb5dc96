/// A configuration problem, located: which file, which line and column, which key, what was
/// expected. `tappass` prints it and exits with status 2; nothing starts.
package struct ConfigError: Error, CustomStringConvertible {
    package init(code: Code, file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    package enum Code: String {
        case unreadable = "config_unreadable"
        case syntax = "config_syntax"
        case invalidValue = "config_invalid_value"
        case unknownKey = "config_unknown_key"
        case missingKey = "config_missing_key"
    }

    package var code: Code
    package var file: String
    package var line: Int?
    package var column: Int?
    package var key: String?
    package var message: String

    package var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        if let key, !key.isEmpty { return "\(location): \(key): \(message)" }
        return "\(location): \(message)"
    }
}
