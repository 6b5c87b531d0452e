/// Why keys could not be loaded, stored or changed. Messages name paths and versions only.
public enum KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case keyFileMissing(path: String)
    case keyFileExists(path: String)
    case keyFileUnreadable(path: String)
    case keyFileUnwritable(path: String, reason: String)
    case insecurePermissions(path: String, mode: UInt32)
    case malformedKeyFile(reason: String)
    case malformedEnvironmentKey(reason: String)
    case keysFromEnvironment
    case wrongKey
    case versionsStillInUse(below: UInt32, count: Int)
    case cannotRetireActive(active: UInt32)
    case serversStillUsing(below: UInt32, count: Int)
    case keySourceBehind(source: UInt32, database: UInt32)
    case systemKeyMissing(name: String)

    public var description: String {
        switch self {
        case .keyFileMissing(let path): "key file \(path) does not exist; run `consentry init` first"
        case .keyFileExists(let path): "key file \(path) already exists; refusing to overwrite it"
        case .keyFileUnreadable(let path): "key file \(path) cannot be read"
        case .keyFileUnwritable(let path, let reason): "key file \(path) cannot be written: \(reason)"
        case .insecurePermissions(let path, let mode):
            "key file \(path) has mode \(String(mode, radix: 8)); it must be readable by its owner only (chmod 600 \(path))"
        case .malformedKeyFile(let reason): "key file is malformed: \(reason)"
        case .malformedEnvironmentKey(let reason): "CONSENTRY_KEK is malformed: \(reason)"
        case .keysFromEnvironment: "keys come from CONSENTRY_KEK; rotate them where that variable is set, not here"
        case .wrongKey: "the key-encryption keys do not open this database's keys (wrong key file, or a retired version)"
        case .versionsStillInUse(let below, let count):
            "\(count) wrapped keys still use a KEK version below \(below); run `consentry keys rewrap` first"
        case .cannotRetireActive(let active): "cannot retire the active KEK version \(active)"
        case .serversStillUsing(let below, let count):
            "\(count) running server(s) still wrap keys under a KEK version below \(below); reload them (SIGHUP, or they reload within seconds) and try again"
        case .systemKeyMissing(let name):
            "the system key \(name) is missing from a database in use; it is created only in a new installation, so restore the database from a backup (someone with write access to it may have deleted the key)"
        case .keySourceBehind(let source, let database):
            "the key source's active KEK version is \(source) but the database is at version \(database); give this process the current key file"
        }
    }
}
