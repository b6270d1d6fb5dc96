import Foundation
import NIOCore
import NIOFoundationEssentialsCompat

/// Checks that a host's embeddings answer has OpenAI's shape: one vector (numbers, or a base64
/// string) per input. Some engines answer with one vector per *token* (llama-cpp-python for a
/// model without a pooling type); passing that on would be a malformed success that breaks
/// every client's vector store later, so it becomes a clear error now.
enum EmbeddingsShape {
    enum Problem: Error, Equatable {
        case perTokenVectors
        case notEmbeddings
    }

    private struct Body: Decodable {
        struct Item: Decodable {
            var embedding: Vector
        }
        var data: [Item]
    }

    private enum Vector: Decodable {
        case numbers
        case base64
        case nested

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if (try? container.decode(String.self)) != nil {
                self = .base64
            } else if (try? container.decode([Double].self)) != nil {
                self = .numbers
            } else if (try? container.decode([[Double]].self)) != nil {
                self = .nested
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a vector")
            }
        }
    }

    static func check(_ body: ByteBuffer) -> Problem? {
        guard let decoded = try? JSONDecoder().decode(Body.self, from: body) else { return .notEmbeddings }
        return decoded.data.contains { if case .nested = $0.embedding { true } else { false } } ? .perTokenVectors : nil
    }
}
