import JSONWire
import LocalLLM

/// Checks the fields the gateway relies on before anything reaches a host, so a malformed
/// request gets a 400 naming the field (some hosts answer validation errors with a 500).
/// Fields not checked here pass through untouched.
enum OpenAIRequestValidation {
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    static func chat(_ body: JSONValue, maxChoices: Int) throws(GatewayError) -> (model: String, streaming: Bool) {
        let model = try modelName(body)
        guard let messages = body["messages"]?.arrayValue else {
            throw GatewayError(.invalidRequest, "'messages' is required and must be an array of messages.", param: "messages")
        }
        guard !messages.isEmpty else {
            throw GatewayError(.invalidRequest, "'messages' must contain at least one message.", param: "messages")
        }
        for (index, message) in messages.enumerated() {
            guard let role = message["role"]?.stringValue else {
                throw GatewayError(
                    .invalidRequest,
                    "'messages[\(index)].role' is required and must be a string.",
                    param: "messages[\(index)].role"
                )
            }
            guard roles.contains(role) else {
                throw GatewayError(
                    .invalidRequest,
                    "'messages[\(index)].role' must be one of \(roles.sorted().joined(separator: ", ")); got '\(role)'.",
                    param: "messages[\(index)].role"
                )
            }
            switch message["content"] {
            case nil, .null, .string, .array: break
            default:
                throw GatewayError(
                    .invalidRequest,
                    "'messages[\(index)].content' must be a string or an array of parts.",
                    param: "messages[\(index)].content"
                )
            }
        }
        let streaming: Bool
        switch body["stream"] {
        case nil, .null: streaming = false
        case .bool(let value): streaming = value
        default: throw GatewayError(.invalidRequest, "'stream' must be a boolean.", param: "stream")
        }
        try positiveInteger(body, "n")
        if let choices = body["n"]?.intValue, choices > maxChoices {
            throw GatewayError(
                .invalidRequest,
                "'n' must be at most \(maxChoices) on this appliance (limits.max_choices); got \(choices).",
                param: "n"
            )
        }
        try positiveInteger(body, "max_tokens")
        try positiveInteger(body, "max_completion_tokens")
        if let temperature = body["temperature"], !temperature.isNull {
            guard let value = number(temperature), (0...2).contains(value) else {
                throw GatewayError(.invalidRequest, "'temperature' must be a number from 0 to 2.", param: "temperature")
            }
        }
        if let tools = body["tools"], !tools.isNull, tools.arrayValue == nil {
            throw GatewayError(.invalidRequest, "'tools' must be an array.", param: "tools")
        }
        return (model, streaming)
    }

    static func embeddings(_ body: JSONValue) throws(GatewayError) -> String {
        let model = try modelName(body)
        switch body["input"] {
        case .string: break
        case .array(let items) where !items.isEmpty: break
        default: throw GatewayError(.invalidRequest, "'input' is required: a string or a non-empty array.", param: "input")
        }
        return model
    }

    private static func modelName(_ body: JSONValue) throws(GatewayError) -> String {
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError(.invalidRequest, "'model' is required and must be a non-empty string.", param: "model")
        }
        return model
    }

    private static func positiveInteger(_ body: JSONValue, _ key: String) throws(GatewayError) {
        guard let value = body[key], !value.isNull else { return }
        guard let integer = value.intValue, integer >= 1 else {
            throw GatewayError(.invalidRequest, "'\(key)' must be a positive integer.", param: key)
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let integer): Double(integer)
        case .double(let double): double
        default: nil
        }
    }
}
