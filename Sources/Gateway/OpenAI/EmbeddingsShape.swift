import JSONWire
import NIOCore

/// Checks that a host's embeddings answer has OpenAI's shape: one vector (numbers, or a base64
/// string) per input. Some engines answer with one vector per *token* (llama-cpp-python for a
/// model without a pooling type); passing that on would be a malformed success that breaks
/// every client's vector store later, so it becomes a clear error now.
enum EmbeddingsShape {
    enum Problem: Error, Equatable {
        case perTokenVectors
        case notEmbeddings
    }

    static func check(_ body: ByteBuffer) -> Problem? {
        guard let json = try? JSONValue.parse(body), let items = json["data"]?.arrayValue else { return .notEmbeddings }
        var perToken = false
        for item in items {
            switch item["embedding"] {
            case .string: continue
            case .array(let values) where values.allSatisfy(isNumber): continue
            case .array(let values) where values.allSatisfy({ $0.arrayValue?.allSatisfy(isNumber) == true }): perToken = true
            default: return .notEmbeddings
            }
        }
        return perToken ? .perTokenVectors : nil
    }

    private static func isNumber(_ value: JSONValue) -> Bool {
        switch value {
        case .int, .double: true
        default: false
        }
    }
}
