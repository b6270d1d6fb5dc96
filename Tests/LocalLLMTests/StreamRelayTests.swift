import NIOCore
import Synchronization
import Testing

@testable import LocalLLM

@Suite struct StreamRelayTests {
    /// A host answer of `count` chunks of `size` bytes that counts how many were read from it.
    final class CountingHost: Sendable {
        let pulled = Atomic(0)
        let count: Int
        let size: Int

        init(count: Int, size: Int) {
            self.count = count
            self.size = size
        }

        var body: ReplyBody {
            .stream(
                AsyncThrowingStream(unfolding: { [self] in
                    let index = pulled.add(1, ordering: .relaxed).newValue
                    guard index <= count else { return nil }
                    return ByteBuffer(repeating: UInt8(index % 251), count: size)
                })
            )
        }
    }

    @Test func aSlowConsumerHoldsTheHostBackInsteadOfTheAnswerBeingBuffered() async throws {
        let host = CountingHost(count: 10_000, size: 100)
        var received = 0
        var pulledWhileStalled = 0
        try await StreamRelay.relay(host.body, idle: .seconds(5), total: .seconds(30), hostID: "h", window: 1_000) { chunk in
            if received == 0 {
                try await Task.sleep(for: .milliseconds(300))
                pulledWhileStalled = host.pulled.load(ordering: .relaxed)
            }
            received += chunk.readableBytes
        }
        // The window (1,000 bytes = 10 chunks), the chunk in the consumer's hands and the one
        // the producer holds while it waits: nothing like the 10,000 the host had ready.
        #expect(pulledWhileStalled <= 14, "read \(pulledWhileStalled) chunks from the host while the client read none")
        #expect(received == 10_000 * 100)
    }

    @Test func aClientSlowerThanTheIdleTimeoutIsNotTakenForASilentHost() async throws {
        let host = CountingHost(count: 3, size: 100)
        var received = 0
        // Seconds, not milliseconds: the whole suite runs in parallel on two cores, and a watchdog
        // woken late must not be what this test measures.
        try await StreamRelay.relay(host.body, idle: .seconds(1), total: .seconds(30), hostID: "h", window: 100) { chunk in
            // The client takes 2.5 s over the first chunk while the window is full.
            if received == 0 { try await Task.sleep(for: .milliseconds(2_500)) }
            received += chunk.readableBytes
        }
        #expect(received == 300)
    }

    @Test func aSilentHostStillEndsTheStreamAtTheIdleTimeout() async throws {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        continuation.yield(ByteBuffer(string: "data: first\n\n"))
        var chunks: [String] = []
        do {
            try await StreamRelay.relay(.stream(stream), idle: .milliseconds(200), total: .seconds(60), hostID: "h") { chunk in
                chunks.append(String(buffer: chunk))
            }
            Issue.record("the relay ended without an error")
        } catch let error as UpstreamError {
            // The idle timeout, not the total one.
            #expect(error.code == .idleTimeout)
        }
        #expect(chunks == ["data: first\n\n"])
        continuation.finish()
    }

    @Test func chunksReadBeforeTheHostBrokeOffAreDeliveredBeforeTheError() async throws {
        struct Reset: Error {}
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        for index in 0..<3 { continuation.yield(ByteBuffer(string: "\(index)")) }
        continuation.finish(throwing: Reset())
        var chunks: [String] = []
        do {
            try await StreamRelay.relay(.stream(stream), idle: .seconds(5), total: .seconds(30), hostID: "h") { chunk in
                chunks.append(String(buffer: chunk))
            }
            Issue.record("the relay ended without the host's error")
        } catch let error as UpstreamError {
            #expect(error.code == .streamInterrupted)
        }
        #expect(chunks == ["0", "1", "2"])
    }

    @Test func aConsumerThatFailsStopsTheHostRead() async throws {
        struct ClientGone: Error {}
        let host = CountingHost(count: 100_000, size: 10)
        await #expect(throws: ClientGone.self) {
            try await StreamRelay.relay(host.body, idle: .seconds(5), total: .seconds(30), hostID: "h", window: 100) { _ in
                throw ClientGone()
            }
        }
        #expect(host.pulled.load(ordering: .relaxed) < 100)
    }

    @Test func theWindowPassesAChunkLargerThanItselfAndEndsOnce() async throws {
        let window = RelayWindow(limit: 4)
        let big = ByteBuffer(repeating: 1, count: 64)
        let sender = Task { try await window.send(big) }
        #expect(try await window.next() == big)
        try await sender.value
        window.finish()
        window.finish(throwing: CancellationError())
        #expect(try await window.next() == nil)
        await #expect(throws: CancellationError.self) { try await window.send(big) }
    }
}
