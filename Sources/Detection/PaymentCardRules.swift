/// What makes a Luhn-valid number a payment card: an issuer range and length from the card
/// networks' published tables, grouping as cards are printed, and a context that does not say
/// the number is something else (an order, an invoice, a parcel, a product code). The test
/// card numbers payment providers document are not cards anyone holds.
enum PaymentCardRules {
    /// An issuer identification range (first digits, inclusive) and the lengths its cards take.
    struct Range: Sendable {
        var low: Int
        var high: Int
        var digits: Int
        var lengths: ClosedRange<Int>
    }

    static let ranges: [Range] = [
        Range(low: 4, high: 4, digits: 1, lengths: 13...19),  // Visa (13 and 19 are rare: see `isCard`)
        Range(low: 51, high: 55, digits: 2, lengths: 16...16),  // Mastercard
        Range(low: 2221, high: 2720, digits: 4, lengths: 16...16),  // Mastercard 2-series
        Range(low: 34, high: 34, digits: 2, lengths: 15...15),  // American Express
        Range(low: 37, high: 37, digits: 2, lengths: 15...15),
        Range(low: 6011, high: 6011, digits: 4, lengths: 16...19),  // Discover
        Range(low: 644, high: 649, digits: 3, lengths: 16...19),
        Range(low: 65, high: 65, digits: 2, lengths: 16...19),
        Range(low: 62, high: 62, digits: 2, lengths: 16...19),  // UnionPay
        Range(low: 3500, high: 3599, digits: 4, lengths: 16...19),  // JCB (3528–3589 issued)
        Range(low: 1800, high: 1800, digits: 4, lengths: 15...15),  // JCB, 15 digits
        Range(low: 2131, high: 2131, digits: 4, lengths: 15...15),
        Range(low: 300, high: 305, digits: 3, lengths: 14...19),  // Diners Club
        Range(low: 36, high: 36, digits: 2, lengths: 14...19),
        Range(low: 38, high: 39, digits: 2, lengths: 14...19),
        Range(low: 2200, high: 2204, digits: 4, lengths: 16...19),  // Mir
        Range(low: 50, high: 50, digits: 2, lengths: 12...19),  // Maestro (12–15 digits: see `isCard`)
        Range(low: 56, high: 59, digits: 2, lengths: 12...19),
        Range(low: 63, high: 63, digits: 2, lengths: 12...19),
        Range(low: 67, high: 67, digits: 2, lengths: 12...19),
    ]

    /// Test numbers from payment providers' documentation (Stripe, Adyen, Braintree, PayPal,
    /// Authorize.net, Worldpay) that do not follow the repeated-digit pattern `isTestPattern` catches.
    static let documentedTestNumbers: Set<String> = [
        "4000056655665556", "2223003122003222", "5200828282828210", "5105105105105100", "378282246310005", "371449635398431",
        "6011000990139424", "3056930009020004", "36227206271667", "6555900000604105", "3566002020360505", "6200000000000005",
        "4012888888881881", "4222222222222", "4000002500003155", "4000002760003184", "4000008400001629", "4917610000000000",
        "4444333322221111", "4988438843884305", "5101180000000007", "2222400070000005", "4035501000000008", "370000000000002",
        "6011601160116611", "6445644564456445", "3530111333300000", "3566111111111113", "5019717010103742", "6759649826438453",
        "4263982640269299", "4917484589897107", "4001919257537193", "4007702835532454", "4012000033330026", "5424000000000015",
        "4007000000027", "4012888818888", "6011000000000012", "3088000000000017", "38000000000006", "4000000760000002",
        "4000001240000000", "4000000400000008", "4000002080000001", "4000002460000001", "4000000560000004", "4000006200000007",
        "5555552500001001", "4000003800000008", "4000007240000007", "6011981111111113", "3714496353984312", "5425233430109903",
        "2223000048410010", "4111111145551142", "5577000055770004", "2222410740360010", "4166676667666746", "6703444444444449",
        "4006000000000060", "6771798021000008", "5588686116426417", "4147202464191053",
    ]

    /// Words that say a number is a card (lower case, English, French, German, Dutch).
    static let cardLabels = IdentifierDetector.labels([
        "card", "carte", "karte", "kaart", "visa", "mastercard", "master card", "amex", "american express", "credit", "debit", "cc",
        "pan", "cb", "maestro", "discover", "diners", "jcb", "unionpay", "payment", "paiement", "zahlung", "betaal", "cvv", "cvc",
        "expir", "exp",
    ])

    /// Words that say a number is something else: orders, invoices, parcels, product codes,
    /// devices, accounts and records.
    static let otherLabels = IdentifierDetector.labels([
        "order", "invoice", "tracking", "track", "shipment", "parcel", "ref", "reference", "ean", "gtin", "isbn", "upc", "sku",
        "barcode", "article", "artikel", "art.-nr", "commande", "facture", "colis", "suivi", "bestelling", "factuur", "zending",
        "bestellung", "rechnung", "sendung", "auftrag", "ticket", "case", "imei", "iccid", "serial", "serienummer", "seriennummer",
        "msisdn", "customer", "client", "kunde", "klant", "account no", "contract", "vertrag", "contrat", "policy", "claim", "batch",
        "lot", "no.", "nr.", "n°",
    ])

    /// The issuer ranges a number of this many digits can come from, and whether it starts in one.
    static func hasIssuer(_ digits: NumberToken.Digits) -> Bool {
        ranges.contains { range in
            guard range.lengths.contains(digits.count) else { return false }
            let lead = digits.prefix(range.digits).reduce(0) { $0 * 10 + Int($1 - 0x30) }
            return lead >= range.low && lead <= range.high
        }
    }

    /// Lengths that other numbers share more often than cards do: 12 and 13 digits (EAN-13,
    /// old Visa), 17–19, and Maestro below 16; Amex's 15 and Diners' 14 are cards' own.
    static func needsLabel(_ digits: NumberToken.Digits) -> Bool {
        switch digits.count {
        case 12, 13, 17, 18, 19: return true
        case 14, 15: return !(digits[0] == 0x33)
        default: return false
        }
    }

    /// Grouped as cards are printed: fours (the last group shorter), or Amex's and Diners' 4-6-5 / 4-6-4.
    static func isCardGrouping(_ groups: NumberToken.Groups) -> Bool {
        guard groups.count > 1 else { return true }
        if groups.count == 3, groups[0] == 4, groups[1] == 6, groups[2] == 4 || groups[2] == 5 { return true }
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1 { return (1...4).contains(group) }
            if group != 4 { return false }
        }
        return true
    }

    /// A documented test card, or a number whose digits between the first and the last are
    /// one or two repeated digits (`4111 1111 1111 1111`, `4000 0000 0000 0002`, `4242…`).
    static func isTestNumber(_ token: NumberToken) -> Bool {
        let digits = token.digits
        var seen: Set<UInt8> = []
        for digit in digits.dropFirst().dropLast() { seen.insert(digit) }
        return seen.count <= 2 || documentedTestNumbers.contains(token.compact)
    }

    /// What test code writes around expected values (`assert`, `expect(…)`, `test_cards = …`,
    /// `func testLuhn`), not the word "test" in prose.
    static let testMarkers = ["assert", "expect(", "expected", "test_", "_test", "def test", "func test", "@test", "fixture"].map {
        Array($0.utf8)
    }

    /// What the text around a card-shaped number says it is when the detectors' window may not
    /// reach: a cell under a column headed as something else (`EAN`, `order_id`), unless the
    /// header or a label says card; a value in a line of test code (`assert luhn("…")`).
    static func isSomethingElse(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let line = TableColumns.line(around: offset, in: bytes)
        if testMarkers.contains(where: { TextScanner.contains(line, $0, foldCase: true) }) { return true }
        guard let column = TableColumns.header(above: offset, in: bytes) else { return false }
        if TableColumns.names(column, cardLabels) { return false }
        return TableColumns.names(column, otherLabels) && !TextScanner.labelled(before: offset, in: bytes, by: cardLabels, within: 32)
    }
}
