import Testing

@testable import License

@Suite struct MachineFingerprintTests {
    @Test func stableScopedAndNotTheRawID() throws {
        let id = "0123456789abcdef0123456789abcdef"
        let first = try MachineFingerprint(machineID: id + "\n")
        #expect(first == (try MachineFingerprint(machineID: id.uppercased())))
        #expect(first.value.count == 64)
        #expect(!first.value.contains(id))
        #expect(first != (try MachineFingerprint(machineID: "1123456789abcdef0123456789abcdef")))
    }

    @Test(arguments: ["", "xyz", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg"])
    func refusesMalformedIDs(id: String) {
        #expect(throws: LicenseError.self) { try MachineFingerprint(machineID: id) }
    }

    @Test func readsTheHostMachineIDWhenPresent() throws {
        #expect(throws: LicenseError.self) { try MachineFingerprint.current(path: "/nonexistent/machine-id") }
    }
}
