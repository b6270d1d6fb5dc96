import Testing

@testable import Detection

/// Positive, negative and boundary tables for each checksum. Valid values are the published
/// specimen numbers or were computed by hand from each specification.
@Suite struct ChecksumValidatorsTests {
    static func twoDigits(_ value: Int) -> String {
        let text = String(value)
        return text.count == 1 ? "0" + text : text
    }

    @Test(arguments: [
        ("4111111111111111", true), ("5500005555555559", true), ("378282246310005", true), ("6011000990139424", true),
        ("4111111111111112", false), ("1234567812345678", false), ("41111111111", false), ("41111111111111111111", false),
        ("4111 1111 1111 1111", false),
    ])
    func luhn(_ number: String, _ valid: Bool) {
        #expect(ChecksumValidators.luhn(number) == valid)
    }

    @Test(arguments: [
        ("GB82WEST12345698765432", true), ("DE89370400440532013000", true), ("BE68539007547034", true),
        ("NL91ABNA0417164300", true), ("FR1420041010050500013M02606", true),
        ("GB82WEST12345698765433", false), ("DE8937040044053201300", false), ("XX82WEST12345698765432", false),
        ("BE6853900754703A", false), ("gb82west12345698765432", false),
    ])
    func iban(_ number: String, _ valid: Bool) {
        #expect(ChecksumValidators.iban(number) == valid)
    }

    @Test(arguments: [
        ("111222333", true), ("123456782", true), ("123456789", false), ("000000000", false), ("12345678", false),
    ])
    func bsn(_ number: String, _ valid: Bool) {
        #expect(ChecksumValidators.bsn(number) == valid)
    }

    /// 85.07.30-033.28 is the register's documented example; 00012556777 a 2000s birth.
    @Test(arguments: [
        ("85073003328", true), ("85073003329", false), ("85133003328", false), ("8507300332", false),
    ])
    func belgianNationalNumber(_ number: String, _ valid: Bool) {
        #expect(ChecksumValidators.belgianNationalNumber(number) == valid)
    }

    @Test func belgianNumbersOfPeopleBornFrom2000() {
        // Body 000125567 for someone born 2000-01-25: key computed over 2000125567.
        let body = 2_000_125_567
        let key = 97 - body % 97
        let number = "000125567" + Self.twoDigits(key)
        #expect(ChecksumValidators.belgianNationalNumber(number))
    }

    @Test(arguments: [
        ("255081416802538", true), ("255081416802539", false), ("355081416802538", false), ("25508141680253", false),
    ])
    func frenchNIR(_ number: String, _ valid: Bool) {
        #expect(ChecksumValidators.frenchNIR(number) == valid)
    }

    @Test func frenchNIRForCorsica() {
        // 2A counts as 19: the key is computed over the number with 19 in place of 2A.
        let body = 1_800_519_001_001
        let key = 97 - body % 97
        let number = "18005" + "2A" + "001001" + Self.twoDigits(key)
        #expect(number.count == 15)
        #expect(ChecksumValidators.frenchNIR(number))
    }

    @Test(arguments: [
        ("AB123456C", true), ("JG103759A", true), ("QQ123456C", false), ("GB123456A", false), ("AO123456A", false),
        ("AB123456E", false), ("AB12345C", false),
    ])
    func ukNINO(_ number: String, _ valid: Bool) {
        #expect(ChecksumValidators.ukNINO(number) == valid)
    }

    @Test(arguments: [
        ("123", "45", "6789", true), ("000", "45", "6789", false), ("666", "45", "6789", false), ("900", "45", "6789", false),
        ("123", "00", "6789", false), ("123", "45", "0000", false), ("899", "99", "9999", true),
    ])
    func usSSN(_ area: String, _ group: String, _ serial: String, _ valid: Bool) {
        #expect(ChecksumValidators.usSSN(area: area, group: group, serial: serial) == valid)
    }
}
