import Glibc
import ServiceLifecycle

/// Hands freed heap memory back to the system every 30 s (glibc `malloc_trim`).
///
/// After a burst (thousands of connections, large prompts) glibc keeps the freed pages in its
/// arenas, so the service's RSS would stay at its peak for good; an appliance sized for its
/// steady state should come back to it. The call walks the arenas (a few milliseconds at most
/// after a large burst, far less when idle) off the request path, on a task of its own.
///
/// Found with `dlsym` rather than declared: Swift's Glibc module does not export `malloc.h`, and
/// one function is not worth a C module of its own. Where it is missing (another libc) this does
/// nothing but wait for shutdown.
struct MemoryReturner: Service {
    var interval: Duration = .seconds(30)

    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let mallocTrim: MallocTrim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map {
        unsafeBitCast($0, to: MallocTrim.self)
    }

    func run() async throws {
        // Runs until shutdown even without the function: a service that returns ends the group.
        let trim = Self.mallocTrim
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { break }
                _ = trim?(0)
            }
        }
    }
}
