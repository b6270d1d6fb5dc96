/// The password of a command line's short `-p` flag, which most tools read as a port, a path or
/// a project: it is a password only on the command lines whose tools take it as one —
/// `mysql -u root -pXy7k…` (attached: MySQL's and MariaDB's only form; `mysql -p mydb` prompts
/// and names a database), `sshpass -p 'Xy7k…'`, `docker login -u admin -p Xy7k…` and the
/// other `login` commands — or after a `-u USER` flag on the same line. The value must hold a letter (`-p 8080:80` is a
/// port mapping) and look like a password, as ``SecretAssignments/isPlausiblePassword(_:quoted:)``
/// judges.
struct ShortPasswordFlags {
    /// Tools whose `-p` (and attached `-pVALUE`) is the password.
    static let attachedCommands = ["mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlsh", "mariadb", "mariadb-dump"]
        .map { Array($0.utf8) }
    static let sshpass = Array("sshpass".utf8)
    /// A subcommand whose `-p` is the password (`docker login`, `podman login`, `oc login`, `az login`).
    static let login = Array("login".utf8)
    static let userFlags = ["-u", "--user", "--username", "-U"].map { Array($0.utf8) }

    func scan(_ scanner: TextScanner, gates: SecretGates) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for dash in gates.flagDashes(bytes) where dash + 2 < bytes.count && bytes[dash + 1] == 0x70 {
            let attached = bytes[dash + 2] != 0x20
            // `-p VALUE` or `-pVALUE`; `-port`, `-path`, `-pretty` are other flags.
            if attached, !TextScanner.isAlnum(bytes[dash + 2]) && bytes[dash + 2] != 0x27 && bytes[dash + 2] != 0x22 { continue }
            let line = lineRange(around: dash, bytes)
            let words = commandWords(bytes[line.lowerBound..<dash])
            let mysql = words.contains { word in Self.attachedCommands.contains { word.elementsEqual($0) } }
            if attached || mysql {
                guard attached, mysql, let value = value(at: dash + 2, scanner) else { continue }
                found.append(("password", value))
                continue
            }
            let tool = words.contains { $0.elementsEqual(Self.sshpass) || $0.elementsEqual(Self.login) }
            let user = words.contains { word in Self.userFlags.contains { word.elementsEqual($0) } }
            guard tool || user, let value = value(at: dash + 3, scanner) else { continue }
            found.append(("password", value))
        }
        return found
    }

    /// The words of a command line before the flag, split at spaces.
    private func commandWords(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        bytes.split { $0 == 0x20 || $0 == 0x09 }.map { word in
            // `/usr/bin/mysql`: the tool's own name.
            guard let slash = word.lastIndex(of: 0x2F) else { return word }
            return word[(slash + 1)...]
        }
    }

    private func lineRange(around offset: Int, _ bytes: [UInt8]) -> Range<Int> {
        var start = offset
        while start > 0, bytes[start - 1] != 0x0A, offset - start < 400 { start -= 1 }
        return start..<offset
    }

    /// The password starting at `start`, quoted or up to the next space.
    private func value(at start: Int, _ scanner: TextScanner) -> Range<Int>? {
        let bytes = scanner.bytes
        guard start < bytes.count else { return nil }
        var range: Range<Int>
        var quoted = false
        if bytes[start] == 0x27 || bytes[start] == 0x22 {
            let quote = bytes[start]
            let close = scanner.run(from: start + 1) { $0 != quote && $0 != 0x0A }
            guard close < bytes.count, bytes[close] == quote else { return nil }
            range = start + 1..<close
            quoted = true
        } else {
            range = start..<scanner.run(from: start) { $0 > 0x20 && $0 != 0x22 && $0 != 0x27 && $0 != 0x3B && $0 != 0x7C }
        }
        let value = bytes[range]
        guard value.first != 0x2D, value.contains(where: { TextScanner.isAlnum($0) && !TextScanner.isDigit($0) }) else { return nil }
        guard SecretAssignments.isPlausiblePassword(value, quoted: quoted), !SecretAssignments.isReference(value) else { return nil }
        return range
    }
}
