import Foundation

#if canImport(Glibc)
import Glibc
import ConsentryRecords
#endif

/// Creates files that hold personal data or secrets (exports, backups, rejects, demo keys):
/// in one `open(O_CREAT | O_EXCL | O_NOFOLLOW, 0600)`, so the path is never checked and then
/// reopened (a symlink planted in between would send the data elsewhere), never follows a
/// symlink, and never takes over a file that exists.
public enum PrivateOutputFile {
    /// - Throws: `StoreError` `output_exists` when `path` exists (a symlink included), or
    ///   `output_unwritable`.
    public static func create(_ path: String) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST || code == ELOOP {
                throw StoreError(code: .outputExists, message: "\(path) already exists; choose a new file or remove it first")
            }
            throw StoreError(code: .outputUnwritable, message: "cannot create \(path): \(String(cString: strerror(code)))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Writes `data` to a new private file at `path`, replacing a regular file there (never
    /// following a symlink): for files rewritten on each start, such as the demo keys.
    public static func replace(_ path: String, with data: Data) throws {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw StoreError(code: .outputExists, message: "\(path) is not a regular file; remove it first")
            }
            unlink(path)
        }
        let handle = try create(path)
        try handle.write(contentsOf: data)
        try handle.close()
    }

    /// Moves the finished file `temporary` to `path` unless something exists there: `link`
    /// fails on an existing path and does not follow a symlink planted at it.
    public static func publish(_ temporary: String, at path: String) throws {
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST { throw StoreError(code: .outputExists, message: "\(path) already exists; choose a new file") }
            throw StoreError(code: .outputUnwritable, message: "cannot create \(path): \(String(cString: strerror(code)))")
        }
    }
}
