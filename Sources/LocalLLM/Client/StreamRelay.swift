package import NIOCore
import Synchronization

/// Relays a reply body chunk by chunk under an idle timeout (longest silence between chunks)
/// and a total timeout, cancelling the upstream read when either fires or the consumer fails.
///
/// The consumer runs in the caller's task (so it may write to an `inout` response writer);
/// a producer child task reads the body and a watchdog child task enforces the timeouts.
package enum StreamRelay {
    package static func relay(
        _ body: ReplyBody,
        idle: Duration,
        total: Duration,
        hostID: String,
        consume: (ByteBuffer) async throws -> Void
    ) async throws {
        let (chunks, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let lastActivity = ActivityMark()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await chunk in body {
                        lastActivity.touch()
                        continuation.yield(chunk)
                    }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish(throwing: CancellationError())
                } catch {
                    continuation.finish(throwing: UpstreamError(.streamInterrupted, "the host's response broke off: \(error)", hostID: hostID))
                }
            }
            group.addTask {
                while true {
                    let last = lastActivity.nanos
                    let idleDeadline = Duration.nanoseconds(last - Self.nanosNow()) + idle
                    let totalLeft = total - (ContinuousClock.now - start)
                    if totalLeft <= .zero {
                        continuation.finish(throwing: UpstreamError(.totalTimeout, "the host's response exceeded the total timeout of \(total)", hostID: hostID))
                        return
                    }
                    if idleDeadline <= .zero {
                        continuation.finish(throwing: UpstreamError(.idleTimeout, "the host sent nothing for \(idle)", hostID: hostID))
                        return
                    }
                    try await Task.sleep(for: min(idleDeadline, totalLeft))
                }
            }
            do {
                for try await chunk in chunks {
                    try await consume(chunk)
                }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func nanosNow() -> Int64 {
        let (seconds, attoseconds) = ContinuousClock.now.duration(to: referenceInstant).components
        return -(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private static let referenceInstant = ContinuousClock.now
}

/// When the last chunk arrived, shared between the producer and the watchdog.
private final class ActivityMark: Sendable {
    private let value = Atomic<Int64>(StreamRelay.nanosNow())
    var nanos: Int64 { value.load(ordering: .relaxed) }
    func touch() { value.store(StreamRelay.nanosNow(), ordering: .relaxed) }
}
