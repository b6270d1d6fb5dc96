import Detection
package import Foundation
import Synchronization

/// Requests and tokens used per key and per team in the current calendar minute and UTC day,
/// enforced exactly under concurrency: a request reserves an upper bound of what it can use
/// before it is sent (all its subjects at once, under one lock), and settles with its real
/// usage when it ends. The bound is the request body's size in bytes (no tokenizer makes more
/// tokens than bytes, and the JSON around the text covers the chat template) plus the output
/// tokens it may generate; a request that asks for more output than the budget has left gets
/// its `max_tokens` lowered to what is left. So parallel requests can never take a limit over.
package final class QuotaLedger: Sendable {
    package struct Subject: Sendable {
        package var name: String
        package var limits: QuotaLimits

        package init(name: String, limits: QuotaLimits) {
            self.name = name
            self.limits = limits
        }
    }

    package struct Reservation: Sendable {
        let subjects: [String]
        let minute: Int64
        let day: Int64
        package let tokens: Int64
        /// Output tokens granted; nil when no token limit applies (the request is not changed).
        package let grantedOutput: Int64?
    }

    private struct Usage {
        var minute: Int64 = -1
        var requests: Int64 = 0
        var minuteTokens: Int64 = 0
        var day: Int64 = -1
        var dayTokens: Int64 = 0

        mutating func roll(minute now: Int64, day today: Int64) {
            if minute != now {
                minute = now
                requests = 0
                minuteTokens = 0
            }
            if day != today {
                day = today
                dayTokens = 0
            }
        }
    }

    private let usage = Mutex<[String: Usage]>([:])

    package init() {}

    /// Reserves one request and `input` + up to `output` tokens (nil: as many as are left) for
    /// every subject, or refuses naming the limit with the seconds until its window opens.
    package func reserve(
        _ subjects: [Subject],
        input: Int64,
        output: Int64?,
        now: Date = Date()
    ) throws(QuotaExceeded) -> Reservation? {
        guard !subjects.isEmpty else { return nil }
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let minute = seconds / 60
        let day = seconds / 86_400
        let limitsTokens = subjects.contains { $0.limits.limitsTokens }
        let result: Result<Reservation, QuotaExceeded> = usage.withLock { table in
            var left = Int64.max
            for subject in subjects {
                var current = table[subject.name] ?? Usage()
                current.roll(minute: minute, day: day)
                table[subject.name] = current
                if let limit = subject.limits.requestsPerMinute, current.requests + 1 > limit {
                    return .failure(Self.refusal("\(limit) requests per minute", subject: subject.name, retryAfter: 60 - seconds % 60))
                }
                if let limit = subject.limits.tokensPerMinute {
                    left = min(left, limit - current.minuteTokens)
                    if current.minuteTokens + input + 1 > limit {
                        return .failure(
                            Self.tokenRefusal(limit, "minute", subject: subject.name, input: input, retryAfter: 60 - seconds % 60)
                        )
                    }
                }
                if let limit = subject.limits.tokensPerDay {
                    left = min(left, limit - current.dayTokens)
                    if current.dayTokens + input + 1 > limit {
                        return .failure(
                            Self.tokenRefusal(limit, "day", subject: subject.name, input: input, retryAfter: 86_400 - seconds % 86_400)
                        )
                    }
                }
            }
            let granted: Int64? = limitsTokens ? min(output ?? Int64.max, left - input) : nil
            let tokens = input + (granted ?? output ?? 0)
            for subject in subjects {
                table[subject.name]!.requests += 1
                table[subject.name]!.minuteTokens += tokens
                table[subject.name]!.dayTokens += tokens
            }
            return .success(Reservation(subjects: subjects.map(\.name), minute: minute, day: day, tokens: tokens, grantedOutput: granted))
        }
        return try result.get()
    }

    /// Replaces a reservation with what was used (nil: unknown, the reservation stands).
    package func settle(_ reservation: Reservation, used: Int64?) {
        guard let used, used != reservation.tokens else { return }
        let delta = used - reservation.tokens
        usage.withLock { table in
            for name in reservation.subjects {
                guard var current = table[name] else { continue }
                if current.minute == reservation.minute { current.minuteTokens = max(0, current.minuteTokens + delta) }
                if current.day == reservation.day { current.dayTokens = max(0, current.dayTokens + delta) }
                table[name] = current
            }
        }
    }

    /// Tokens used (and reserved) now by a subject in this minute and day.
    package func snapshot(_ name: String, now: Date = Date()) -> (requests: Int64, minuteTokens: Int64, dayTokens: Int64) {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        return usage.withLock { table in
            guard var current = table[name] else { return (0, 0, 0) }
            current.roll(minute: seconds / 60, day: seconds / 86_400)
            return (current.requests, current.minuteTokens, current.dayTokens)
        }
    }

    private static func refusal(_ limit: String, subject: String, retryAfter: Int64) -> QuotaExceeded {
        QuotaExceeded(message: "Rate limit reached for \(subject): \(limit). Try again in \(retryAfter) s.", retryAfter: retryAfter)
    }

    private static func tokenRefusal(_ limit: Int64, _ window: String, subject: String, input: Int64, retryAfter: Int64) -> QuotaExceeded {
        if input + 1 > limit {
            return QuotaExceeded(
                message:
                    "This request needs up to \(input) input tokens, more than the \(limit) tokens per \(window) allowed for \(subject).",
                retryAfter: nil
            )
        }
        return refusal("\(limit) tokens per \(window)", subject: subject, retryAfter: retryAfter)
    }
}
