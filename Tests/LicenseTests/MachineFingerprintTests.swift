import Foundation
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

    @Test func aMissingMachineIDIsRefused() throws {
        #expect(throws: LicenseError.self) { try MachineFingerprint.current(root: "/nonexistent") }
    }

    /// A host laid out under a temporary root: machine id, DMI, the root filesystem's udev
    /// record, two physical interfaces and a virtual one.
    static func host(
        machineID: String = "0123456789abcdef0123456789abcdef",
        productUUID: String = "4c4c4544-0042-3510-8052-b3c04f4d3732",
        rootUUID: String = "1b6e1f7a-5c1e-4c3a-9d55-6b1e0c7f2a10",
        macs: [String] = ["52:54:00:12:34:56", "52:54:00:ab:cd:ef"]
    ) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fp-\(UUID().uuidString)")
        func write(_ path: String, _ text: String) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try write("etc/machine-id", machineID + "\n")
        try write("sys/class/dmi/id/product_uuid", productUUID.uppercased() + "\n")
        try write("sys/class/dmi/id/board_serial", "Default string\n")
        try write(
            "proc/self/mountinfo",
            "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n23 22 0:21 / /proc rw - proc proc rw\n"
        )
        try write("run/udev/data/b259:2", "S:disk/by-uuid/\(rootUUID)\nE:ID_FS_UUID=\(rootUUID)\nE:ID_FS_TYPE=ext4\n")
        for (index, mac) in macs.enumerated() {
            try write("sys/class/net/eth\(index)/address", mac + "\n")
            try write("sys/class/net/eth\(index)/device/uevent", "DRIVER=virtio_net\n")
        }
        try write("sys/class/net/lo/address", "00:00:00:00:00:00\n")
        try write("sys/class/net/docker0/address", "02:42:ac:11:00:01\n")
        return root
    }

    @Test func readsEveryComponentItCanAndSkipsVirtualInterfaces() throws {
        let root = try Self.host()
        defer { try? FileManager.default.removeItem(at: root) }
        let machine = try MachineFingerprint.current(root: root.path)
        // DMI files are root's on Debian: not read, so the service sees what `license request` saw.
        #expect(machine.components.map(\.kind) == [.machineID, .rootFilesystem, .networkInterface, .networkInterface])
        #expect(machine == (try MachineFingerprint.current(root: root.path)), "stable")
        // Hashes only: no raw value appears in what an activation request carries.
        let request = try ActivationRequest(machine: machine, hostname: "box", productVersion: "0", createdAt: Date()).encoded()
        let text = String(decoding: request, as: UTF8.self).lowercased()
        for raw in ["0123456789abcdef0123456789abcdef", "4c4c4544-0042", "1b6e1f7a", "52:54:00:12:34:56"] {
            #expect(!text.contains(raw), "\(raw) leaked")
        }
        #expect(try ActivationRequest.parse(request).components?.count == 4)
    }

    static func license(for machine: MachineFingerprint) throws -> LicenseTerms {
        var terms = LicenseFixtures.terms(machine: machine)
        terms.machineComponents = machine.components.map(\.digest)
        terms.machineThreshold = MachineFingerprint.defaultThreshold(count: machine.components.count)
        try terms.validate()
        return terms
    }

    @Test func oneReplacedPartKeepsTheLicenseACopiedMachineIDDoesNot() throws {
        let original = try Self.host()
        let newCard = try Self.host(macs: ["52:54:00:12:34:56", "52:54:00:99:99:99"])
        let otherBox = try Self.host(
            productUUID: "a1b2c3d4-0000-1111-2222-333344445555",
            rootUUID: "9f0e8d7c-6b5a-4939-8271-605f4e3d2c1b",
            macs: ["52:54:00:77:77:77"]
        )
        let twoReplaced = try Self.host(rootUUID: "9f0e8d7c-6b5a-4939-8271-605f4e3d2c1b", macs: ["52:54:00:12:34:56", "52:54:00:99:99:99"])
        defer { for root in [original, newCard, otherBox, twoReplaced] { try? FileManager.default.removeItem(at: root) } }
        let terms = try Self.license(for: try MachineFingerprint.current(root: original.path))
        #expect(terms.machineThreshold == 3)
        func verifier(_ root: URL) throws -> LicenseVerifier {
            LicenseVerifier(vendorKeys: LicenseFixtures.vendorKeys, machine: try MachineFingerprint.current(root: root.path))
        }
        try verifier(original).checkMachine(terms)
        try verifier(newCard).checkMachine(terms)
        // Another box told it is the original (`echo … > /etc/machine-id`): same fingerprint
        // `value`, one component of four.
        let impostor = try verifier(otherBox)
        #expect(impostor.machine.value == (try MachineFingerprint.current(root: original.path)).value)
        #expect(throws: LicenseError.self) { try impostor.checkMachine(terms) }
        #expect(throws: LicenseError.self) { try verifier(twoReplaced).checkMachine(terms) }
        // The whole file, signed: refused on the impostor, with the count and no values.
        let file = LicenseFixtures.file(terms)
        do {
            _ = try impostor.verify(file, at: LicenseFixtures.now)
            Issue.record("verified on another machine")
        } catch {
            #expect(error.code == .wrongMachine && error.message.contains("1 of its 4 machine components"))
        }
    }

    @Test func componentTermsAreValidated() throws {
        var terms = LicenseFixtures.terms()
        terms.machineComponents = [String(repeating: "a", count: 64), String(repeating: "b", count: 64)]
        terms.machineThreshold = 1
        #expect(throws: LicenseError.self) { try terms.validate() }
        terms.machineThreshold = 2
        try terms.validate()
        terms.machineComponents = ["xyz"]
        #expect(throws: LicenseError.self) { try terms.validate() }
        terms.machineComponents = nil
        #expect(throws: LicenseError.self) { try terms.validate() }
        terms.machineThreshold = nil
        try terms.validate()
    }
}
