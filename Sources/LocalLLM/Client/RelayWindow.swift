package import NIOCore
import Synchronization

/// The chunks a host has sent that the client has not been written yet, at most `limit` bytes.
///
/// The task reading the host's answer waits in `send` while the window is full, so a client that
/// reads slowly stops the gateway reading the host (and the host's TCP window then stops the
/// host): memory per stream is bounded by this window, not by the answer's length. A chunk is
/// always taken whole, so one chunk larger than the window still passes.
///
/// One producer (`send`, `finish`), one consumer (`next`); `offer` (a heartbeat's empty chunk)
/// never waits. Buffered chunks are delivered before the end or the error `finish` records.
package final class RelayWindow: Sendable {
    private struct State {
        var chunks = CircularBuffer<ByteBuffer>()
        var bytes = 0
        var end: (any Error)??
        var consumer: CheckedContinuation<ByteBuffer?, any Error>?
        var producer: CheckedContinuation<Void, any Error>?
    }

    private let state = Mutex(State())
    package let limit: Int

    package init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Hands a chunk to the consumer, waiting while the window is full. Throws
    /// `CancellationError` when the task is cancelled or the window has already ended.
    package func send(_ chunk: ByteBuffer) async throws {
        guard try enqueue(chunk) else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled || state.end != nil { return .failure(CancellationError()) }
                    if state.bytes < limit { return .success(()) }
                    state.producer = continuation
                    return nil
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            state.withLock { $0.producer.take() }?.resume(throwing: CancellationError())
        }
    }

    /// Whether the window holds `limit` bytes or more (a producer sending now would wait).
    package var isFull: Bool { state.withLock { $0.bytes >= limit } }

    /// Hands a chunk to the consumer without waiting, whatever the window holds.
    package func offer(_ chunk: ByteBuffer) {
        _ = try? enqueue(chunk)
    }

    /// Ends the window after the chunks it holds: with `error`, the consumer gets it after them.
    /// A producer waiting for room is let go with `CancellationError`. Later calls do nothing.
    package func finish(throwing error: (any Error)? = nil) {
        let (consumer, producer) = state.withLock {
            state -> (CheckedContinuation<ByteBuffer?, any Error>?, CheckedContinuation<Void, any Error>?) in
            guard state.end == nil else { return (nil, nil) }
            state.end = .some(error)
            return (state.chunks.isEmpty ? state.consumer.take() : nil, state.producer.take())
        }
        if let consumer {
            if let error { consumer.resume(throwing: error) } else { consumer.resume(returning: nil) }
        }
        producer?.resume(throwing: CancellationError())
    }

    /// The next chunk, nil once the window has ended and is empty; throws the error it ended with.
    package func next() async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
                var producer: CheckedContinuation<Void, any Error>?
                let resume: Result<ByteBuffer?, any Error>? = state.withLock { state in
                    if let chunk = state.chunks.popFirst() {
                        state.bytes -= chunk.readableBytes
                        if state.bytes < limit { producer = state.producer.take() }
                        return .success(chunk)
                    }
                    if let end = state.end {
                        // Delivered once: afterwards the window reads as ended without an error.
                        state.end = .some(nil)
                        return end.map { .failure($0) } ?? .success(nil)
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.consumer = continuation
                    return nil
                }
                producer?.resume()
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            state.withLock { $0.consumer.take() }?.resume(throwing: CancellationError())
        }
    }

    /// Queues `chunk` or gives it straight to a waiting consumer; true when the window is now
    /// full and the producer should wait.
    private func enqueue(_ chunk: ByteBuffer) throws -> Bool {
        let (consumer, full) = try state.withLock { state -> (CheckedContinuation<ByteBuffer?, any Error>?, Bool) in
            guard state.end == nil else { throw CancellationError() }
            if let consumer = state.consumer.take() { return (consumer, false) }
            state.chunks.append(chunk)
            state.bytes += chunk.readableBytes
            return (nil, state.bytes >= limit)
        }
        consumer?.resume(returning: chunk)
        return full
    }
}
