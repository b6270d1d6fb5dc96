import Foundation
import Governance
import JSONWire
import LocalLLM
import NIOCore

/// What a stream event becomes after the output filter.
enum FilteredEvent: Equatable {
    case forward
    /// The event's new `data` (OpenAI) or whole event (Anthropic) text.
    case replace(String)
    /// Nothing left to send (the filter holds all of the chunk's text).
    case drop
    case block(PolicyBlock)
}
