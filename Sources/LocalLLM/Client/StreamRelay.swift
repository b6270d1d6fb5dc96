package import NIOCore
import Synchronization

/// Relays a reply body chunk by chunk under an idle timeout (longest silence between chunks)
/// and a total timeout, cancelling the upstream read when either fires or the consumer fails.
///
/// The idle clock runs only while the gateway waits for the host: not while a slow client keeps
/// the window full.
///
/// With a `heartbeat`, the consumer gets an empty chunk after that long without data, so it
/// can keep the client's connection alive (Anthropic `ping` events).
///
/// The consumer runs in the caller's task (so it may write to an `inout` response writer);
/// a producer child task reads the body and a watchdog child task enforces the timeouts. The
/// producer stops reading while `window` bytes wait for the consumer (`RelayWindow`): a client
/// that reads slowly holds the host back instead of the gateway buffering the answer.
package enum StreamRelay {
    /// Bytes read from a host and not yet consumed, per stream (a few hundred SSE events).
    package static let defaultWindow = 64 << 10

    package static func relay(
        _ body: ReplyBody,
        idle: Duration,
        total: Duration,
        hostID: String,
        heartbeat: Duration? = nil,
        window: Int = defaultWindow,
        consume: (ByteBuffer) async throws -> Void
    ) async throws {
        let pending = RelayWindow(limit: window)
        let lastActivity = ActivityMark()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await chunk in body {
                        lastActivity.touch()
                        try await pending.send(chunk)
                        lastActivity.touch()
                    }
                    pending.finish()
                } catch is CancellationError {
                    pending.finish(throwing: CancellationError())
                } catch {
                    pending.finish(
                        throwing: UpstreamError(.streamInterrupted, "the host's response broke off: \(error)", hostID: hostID)
                    )
                }
            }
            group.addTask {
                let started = Self.nanosNow()
                let idleNanos = Self.nanos(idle)
                let totalNanos = Self.nanos(total)
                let beatNanos = heartbeat.map(Self.nanos)
                var lastBeat = started
                while true {
                    // A producer held back by a slow client is not a silent host.
                    if pending.isFull { lastActivity.touch() }
                    let now = Self.nanosNow()
                    let last = lastActivity.nanos
                    if now - started >= totalNanos {
                        pending.finish(
                            throwing: UpstreamError(
                                .totalTimeout,
                                "the host's response exceeded the total timeout of \(total)",
                                hostID: hostID
                            )
                        )
                        return
                    }
                    if now - last >= idleNanos {
                        pending.finish(throwing: UpstreamError(.idleTimeout, "the host sent nothing for \(idle)", hostID: hostID))
                        return
                    }
                    var wake = min(last + idleNanos, started + totalNanos)
                    if let beatNanos {
                        let quietSince = max(last, lastBeat)
                        if now - quietSince >= beatNanos {
                            // An empty chunk tells the consumer to send its keep-alive.
                            pending.offer(ByteBuffer())
                            lastBeat = now
                            continue
                        }
                        wake = min(wake, quietSince + beatNanos)
                    }
                    try await Task.sleep(for: .nanoseconds(max(wake - now, 1_000_000)))
                }
            }
            do {
                while let chunk = try await pending.next() {
                    // Room in the window again: the idle clock restarts from here, not from
                    // whenever the producer next gets a thread.
                    lastActivity.touch()
                    try await consume(chunk)
                }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func nanos(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
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
