import Foundation

/// The JSON conventions of every license-side file: ISO 8601 times, sorted keys, and decoding
/// errors told as the field that was wrong and what was expected.
enum LicenseJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "field '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)' is missing"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "field '\(path(context))': expected \(type == Date.self ? "an ISO 8601 time" : "\(type)")"
        case .dataCorrupted(let context):
            let where_ = path(context)
            if where_.isEmpty { return "not valid JSON" }
            return
                "field '\(where_)': \(context.debugDescription.contains("date") ? "expected an ISO 8601 time" : context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
