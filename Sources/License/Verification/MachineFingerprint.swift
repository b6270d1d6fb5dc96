import Crypto
import Foundation

/// The identity a license is bound to. `value`, a SHA-256 over the host's `/etc/machine-id`, is
/// what licenses issued before components existed name. `components` are several independent
/// parts of the host — the machine id, the root filesystem's UUID, the MAC address of each
/// physical network interface — each hashed on its own with a product- and kind-scoped prefix,
/// so the raw values never leave the box in an activation request. Only what an unprivileged
/// process may read: the service runs as its own user and must see what `license request` saw. A license that names components binds to any
/// `machine_threshold` of them (k of n): replacing one network card does not orphan it, while
/// copying `/etc/machine-id` to another box no longer makes it this one.
///
/// What it does not stop: root on a virtual machine (or with bind mounts and `ip link set
/// address`) can present every component of another host; the binding raises the cost from one
/// command to several, it cannot prove hardware. The README's threat model says so.
package struct MachineFingerprint: Sendable, Equatable, CustomStringConvertible {
    package let value: String
    package let components: [Component]

    package struct Component: Sendable, Equatable, Hashable, Codable {
        package enum Kind: String, Sendable, Codable, CaseIterable {
            case machineID = "machine-id"
            case rootFilesystem = "root-filesystem"
            case networkInterface = "network-interface"
        }

        package var kind: Kind
        /// SHA-256 (hex) of `tappass-appliance/machine/v1/<kind>:<value>`.
        package var digest: String

        package init(kind: Kind, digest: String) {
            self.kind = kind
            self.digest = digest
        }

        package init(kind: Kind, value: String) {
            self.kind = kind
            digest = Self.hash("tappass-appliance/machine/v1/\(kind.rawValue):\(value)")
        }

        static func hash(_ text: String) -> String {
            SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        }
    }

    package init(machineID: String, components extra: [Component] = []) throws(LicenseError) {
        let trimmed = machineID.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard trimmed.count == 32, trimmed.allSatisfy(\.isHexDigit) else {
            throw LicenseError(.invalidMachineID, "expected 32 hexadecimal characters in the machine id, got \(trimmed.count) characters")
        }
        value = Component.hash("tappass-appliance/machine/v1:\(trimmed)")
        components = [Component(kind: .machineID, value: trimmed)] + extra.filter { $0.kind != .machineID }
    }

    /// Reads the components under `root` (`/`; a directory laid out the same way in tests): the
    /// machine id is required, every other component is taken when present and readable.
    package static func current(root: String = "/") throws(LicenseError) -> MachineFingerprint {
        let base = URL(fileURLWithPath: root)
        func read(_ path: String) -> String? {
            (try? String(contentsOf: base.appendingPathComponent(path), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let machineID = read("etc/machine-id") else {
            throw LicenseError(.invalidMachineID, "cannot read \(base.appendingPathComponent("etc/machine-id").path)")
        }
        // Not the DMI product UUID or board serial: on Debian only root may read them, and the
        // service (user tappass) must see exactly what `license request`, run as root, saw.
        var components: [Component] = []
        if let uuid = rootFilesystemUUID(read) { components.append(Component(kind: .rootFilesystem, value: uuid)) }
        for mac in physicalMACs(base) { components.append(Component(kind: .networkInterface, value: mac)) }
        return try MachineFingerprint(machineID: machineID, components: components)
    }

    /// The UUID of the filesystem mounted at `/`: its device number from
    /// `/proc/self/mountinfo`, then udev's record of that block device (`E:ID_FS_UUID=`).
    static func rootFilesystemUUID(_ read: (String) -> String?) -> String? {
        guard let mounts = read("proc/self/mountinfo") else { return nil }
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4] == "/" else { continue }
            guard let record = read("run/udev/data/b\(fields[2])") else { return nil }
            for entry in record.split(separator: "\n") where entry.hasPrefix("E:ID_FS_UUID=") {
                let uuid = entry.dropFirst("E:ID_FS_UUID=".count).lowercased()
                return uuid.isEmpty ? nil : uuid
            }
            return nil
        }
        return nil
    }

    /// The MAC address of each interface backed by a device (not loopback, bridges, veth,
    /// tunnels), sorted.
    static func physicalMACs(_ base: URL) -> [String] {
        let net = base.appendingPathComponent("sys/class/net")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: net.path) else { return [] }
        var macs: [String] = []
        for name in names.sorted() {
            let interface = net.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: interface.appendingPathComponent("device").path),
                let address = try? String(contentsOf: interface.appendingPathComponent("address"), encoding: .utf8)
            else { continue }
            let mac = address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard mac.count == 17, mac != "00:00:00:00:00:00" else { continue }
            macs.append(mac)
        }
        return Array(Set(macs)).sorted()
    }

    /// How many of `count` components a license requires by default: all of one or two, one
    /// fewer from three on (one part may be replaced), never fewer than two when there are two.
    package static func defaultThreshold(count: Int) -> Int {
        count <= 2 ? max(count, 1) : count - 1
    }

    package var description: String { value }
}
