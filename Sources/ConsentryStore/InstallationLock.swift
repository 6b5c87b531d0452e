import Foundation
import ConsentryRecords

/// An exclusive lock on a SQLite installation's data directory (`<data-dir>/server.lock`,
/// `flock`), held by `serve` for its whole life and taken by commands that replace the
/// database (`restore`): a restore can no longer swap the file under a running server,
/// whose later writes would go to the replaced file and be lost. The file names the holder's
/// pid; the kernel releases the lock when the process ends, even by SIGKILL.
public final class InstallationLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// - Throws: `StoreError` `installation_busy` naming the pid that holds the lock.
    public init(directory: DataDirectory, purpose: String) throws {
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = (directory.path as NSString).appendingPathComponent("server.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw StoreError(code: .lockUnavailable, message: "cannot open \(path) (errno \(errno))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw StoreError(
                code: .installationBusy,
                message: "\(directory.path) is in use by \(holder.isEmpty ? "another process" : holder); stop it before you \(purpose)")
        }
        ftruncate(fd, 0)
        let line = "consentry \(purpose) (pid \(getpid()))\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
