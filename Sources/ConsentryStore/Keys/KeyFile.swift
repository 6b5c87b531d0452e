import ConsentryCrypto
import Foundation

/// The key-encryption keys on disk: a JSON file with mode 0600, outside the database.
///
/// ```json
/// {"format":"consentry-kek/v1","active":2,"keys":[{"version":1,"key":"<base64>","createdAt":"..."}, ...]}
/// ```
/// Loading refuses a file that group or others can read or write: a KEK readable by another
/// account is a KEK that has leaked.
public struct KeyFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    struct Contents: Codable {
        struct Entry: Codable {
            var version: UInt32
            var key: String
            var createdAt: Date
        }
        var format: String
        var active: UInt32
        var keys: [Entry]
    }

    static let format = "consentry-kek/v1"

    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Writes a new key file; refuses to overwrite one (that would orphan every wrapped key).
    public func create(_ ring: KeyRing) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw KeyError.keyFileExists(path: path) }
            throw KeyError.keyFileUnwritable(path: path, reason: String(cString: strerror(errno)))
        }
        Glibc.close(fd)
        try write(ring, createdAt: [:])
    }

    /// Reads the ring after checking the file's permissions.
    /// - Throws: `KeyError.insecurePermissions`, `.keyFileMissing`, `.malformedKeyFile`.
    public func load() throws -> KeyRing {
        var info = stat()
        guard stat(path, &info) == 0 else { throw KeyError.keyFileMissing(path: path) }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else { throw KeyError.insecurePermissions(path: path, mode: mode) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw KeyError.keyFileUnreadable(path: path)
        }
        return try Self.ring(from: data)
    }

    /// Replaces the file atomically (write to a 0600 temporary, fsync, rename).
    public func save(_ ring: KeyRing) throws {
        let existing = (try? Self.contents(from: Data(contentsOf: URL(fileURLWithPath: path)))) ?? nil
        var createdAt: [UInt32: Date] = [:]
        for entry in existing?.keys ?? [] { createdAt[entry.version] = entry.createdAt }
        try write(ring, createdAt: createdAt)
    }

    /// When each version was created, as recorded in the file.
    public func creationDates() -> [UInt32: Date] {
        guard let contents = try? Self.contents(from: Data(contentsOf: URL(fileURLWithPath: path))) else { return [:] }
        return Dictionary(uniqueKeysWithValues: contents.keys.map { ($0.version, $0.createdAt) })
    }

    private func write(_ ring: KeyRing, createdAt: [UInt32: Date]) throws {
        let now = Date()
        let contents = Contents(
            format: Self.format, active: ring.activeVersion,
            keys: ring.versions.map { version in
                Contents.Entry(version: version, key: Data(ring.keys[version]!.unsafeCopy).base64EncodedString(), createdAt: createdAt[version] ?? now)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(contents)
        defer { data.withUnsafeMutableBytes { ConstantTime.wipe($0) } }
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw KeyError.keyFileUnwritable(path: path, reason: String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        Glibc.close(fd)
        guard written == data.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw KeyError.keyFileUnwritable(path: path, reason: "write, fsync or rename failed")
        }
    }

    static func contents(from data: Data) throws -> Contents? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Contents.self, from: data)
    }

    static func ring(from data: Data) throws -> KeyRing {
        guard let contents = try? contents(from: data), contents.format == format else {
            throw KeyError.malformedKeyFile(reason: "not a \(format) JSON document")
        }
        var keys: [UInt32: SecureBytes] = [:]
        for entry in contents.keys {
            guard var bytes = Data(base64Encoded: entry.key), bytes.count == AES.GCM.keyByteCount else {
                throw KeyError.malformedKeyFile(reason: "key version \(entry.version) is not 32 bytes of base64")
            }
            keys[entry.version] = SecureBytes(copying: bytes)
            bytes.withUnsafeMutableBytes { ConstantTime.wipe($0) }
        }
        do { return try KeyRing(keys: keys, activeVersion: contents.active) } catch {
            throw KeyError.malformedKeyFile(reason: "active version \(contents.active) is not in the file")
        }
    }
}
