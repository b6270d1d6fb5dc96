import Foundation
import Testing

@testable import License

/// License-side files go through the strict JSON shape; what it refuses is a malformed license.
@Suite struct LicenseFileShapeTests {
    typealias F = LicenseFixtures

    @Test func aLicenseFileHasTheShape() throws {
        try LicenseFileShape.check(F.file(), what: "license")
    }

    @Test func aLicenseEnvelopeWithADuplicateKeyIsMalformed() throws {
        let file = String(decoding: F.file(), as: UTF8.self)
        let doubled = file.replacingOccurrences(of: "\"format\"", with: "\"format\": \"x\", \"format\"")
        #expect { try F.verifier.verify(Data(doubled.utf8), at: F.now) } throws: {
            ($0 as? LicenseError)?.code == .malformed && "\($0)".contains("appears twice")
        }
    }

    @Test func aFileOverTheLimitIsMalformed() {
        let big = Data(#"{"a": ""#.utf8) + Data(repeating: 0x61, count: LicenseFileShape.maxBytes) + Data(#""}"#.utf8)
        #expect { try LicenseFileShape.check(big, what: "license") } throws: { ($0 as? LicenseError)?.code == .malformed }
    }
}
