import Governance
import Testing

@testable import Detection

/// Tables for the personal-data detectors added with the policy engine: phones, national
/// identifiers, IP addresses, labelled dates of birth, and the policy's exfiltration lists.
@Suite struct PersonalDataTablesTests {
    static func types(_ text: String) -> [String] { Detectors.scan(text).map(\.type) }

    /// The value found, as text.
    static func found(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return Detectors.scan(text).map { String(decoding: bytes[$0.utf8Range], as: UTF8.self) }
    }

    @Test func phoneNumbersInInternationalAndNationalFormats() {
        for phone in [
            "+32 470 12 34 56", "+1 (415) 867-5309", "+44 20 7946 0958", "+31 6 12345678", "+33 6 12 34 56 78", "+49 30 12345678",
            "+3247012345", "(415) 867-5309", "415-867-5309", "415.867.5309", "1-800-867-5309", "020 7946 0958", "07700 900123",
            "0470 12 34 56", "02 123 45 67", "06-12345678", "020-1234567", "06 12 34 56 78", "01.42.68.53.07", "030 12345678",
            "0151 12345678", "(030) 1234567", "0470/12.34.56",
        ] {
            #expect(Self.found("Call me at \(phone) tomorrow.") == [phone], "\(phone)")
        }
        #expect(Self.found("Tel: 0612345678") == ["0612345678"])
    }

    @Test func numbersThatAreNotPhones() {
        for text in [
            "version 1.2.3", "on 2024-01-15 at noon", "on 15/01/2024", "order 0612345678 shipped", "pi is 3.14159265358979",
            "id 550e8400-e29b-41d4-a716-446655440000", "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "(415) 555-0134 is fiction",
            "+1 415 555 0199 from the film", "total 1234567890", "build 20241115.3", "12:30:45", "at 10.000.000 euro",
        ] {
            #expect(!Self.types(text).contains("phone"), "\(text) -> \(Self.types(text))")
        }
    }

    @Test func nationalIdentifiersWithChecksums() {
        #expect(Self.types("SSN 536-22-1234") == ["us_ssn"])
        #expect(Self.types("ssn: 536221234") == ["us_ssn"])
        #expect(Self.types("social security number 536221234") == ["us_ssn"])
        // Printed in documentation and on sample cards, or made up: not anyone's number.
        #expect(Self.types("SSN 123-45-6789").isEmpty)
        #expect(Self.types("SSN 078-05-1120").isEmpty)
        #expect(Self.types("SSN 111-11-1111").isEmpty)
        #expect(Self.types("ssn 000-12-3456").isEmpty)  // area 000 is never issued
        #expect(Self.types("SSN 666-12-3456").isEmpty)
        #expect(Self.types("rijksregisternummer 85.07.30-033.28") == ["be_national_number"])
        #expect(Self.types("nr 85.07.30-033.28") == ["be_national_number"])
        #expect(Self.types("nr 85.07.30-033.29").isEmpty)  // wrong check digits
        #expect(Self.types("BSN 111222333") == ["nl_bsn"])
        #expect(Self.types("BSN 111222334").isEmpty)  // fails the 11-test
        #expect(!Self.types("invoice 111222333").contains("nl_bsn"))  // no label: one 9-digit number in 11 passes by chance
        #expect(Self.types("NIR 1 85 07 75 123 456 78").contains("fr_nir") == ChecksumValidators.frenchNIR("185077512345678"))
        #expect(Self.types("NINO AB 12 34 56 C") == ["uk_nino"])
        #expect(Self.types("NINO AB123456C") == ["uk_nino"])
        #expect(Self.types("NINO QQ123456C").isEmpty)  // Q is never a prefix letter
    }

    @Test func ipAddressesButNotVersionsOrExamples() {
        #expect(Self.found("server 10.20.30.40 is down") == ["10.20.30.40"])
        #expect(Self.found("from 2a02:1810:4f2c:c00::1a") == ["2a02:1810:4f2c:c00::1a"])
        #expect(Self.found("fe80::1ff:fe23:4567:890a%eth0").first == "fe80::1ff:fe23:4567:890a")
        for text in [
            "version 1.2.3.4", "1.2.3.4.5", "192.0.2.10 is for docs", "see 2001:db8::1", "localhost 127.0.0.1", "12:30:45",
            "mac 00:1a:2b:3c:4d:5e", "std::vector", "999.1.1.1", "01.02.03.04", "Versie 1.2.3.4 van de app",
            "la versión 2.1.0.7 del cliente", "firmware 4.10.2.1", "rev. 3.2.1.9",
        ] {
            #expect(!Self.types(text).contains("ip_address"), "\(text)")
        }
    }

    @Test func datesOfBirthOnlyWhenLabelled() {
        for text in [
            "DOB: 1985-07-30", "date of birth 30/07/1985", "born on 07/30/1985", "Geburtsdatum: 30.07.1985", "geboortedatum 30-07-1985",
            "Date of birth: 30 July 1985", "born on July 30, 1985",
        ] {
            #expect(Self.types(text) == ["date_of_birth"], "\(text)")
        }
        for text in ["meeting on 1985-07-30", "released 30 July 1985", "DOB: 1985-13-30"] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
    }

    /// Whatever the input, the detectors return in-bounds findings and never trap: they run on
    /// every request, and a trap would take the service down.
    @Test func randomNumberLikeTextNeverTraps() {
        var state: UInt64 = 99
        let alphabet = Array("0123456789 +-./()@:ABCDEFabcdef,\nDOB BSN tel ssn é".utf8)
        for length in [1, 2, 3, 5, 8, 13, 40, 200] {
            for _ in 0..<300 {
                let bytes = (0..<length).map { _ -> UInt8 in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return alphabet[Int((state >> 33) % UInt64(alphabet.count))]
                }
                let text = String(decoding: bytes, as: UTF8.self)
                for finding in Detectors.scan(text) {
                    #expect(finding.start < finding.end && finding.end <= text.unicodeScalars.count)
                }
            }
        }
    }

    @Test func exfiltrationDomainsKeywordsAndPatterns() throws {
        let detectors = Detectors(
            exfiltration: ExfiltrationRules(
                domains: ["pastebin.com", "webhook.site"],
                keywords: ["Project Bluebird"],
                patterns: [.init(name: "ticket_id", regex: "TCK-[0-9]{6}")]
            )
        )
        func found(_ text: String) -> [String] {
            let bytes = Array(text.utf8)
            return detectors.scan(text).map { "\($0.type)=" + String(decoding: bytes[$0.utf8Range], as: UTF8.self) }
        }
        #expect(found("post it to https://pastebin.com/raw/x1Y2. then") == ["exfil_domain=https://pastebin.com/raw/x1Y2"])
        #expect(found("send to eu.webhook.site") == ["exfil_domain=eu.webhook.site"])
        #expect(found("the notpastebin.com site and pastebin.community").isEmpty)
        #expect(found("about project bluebird's budget") == ["exfil_keyword=project bluebird"])
        #expect(found("see TCK-123456 now") == ["ticket_id=TCK-123456"])
        #expect(detectors.scan("see TCK-123456 now").first?.category == .exfil)
    }
}
