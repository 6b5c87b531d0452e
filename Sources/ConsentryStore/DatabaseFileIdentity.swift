import Foundation

/// The identity (device and inode) of the SQLite file a server opened. If the path later
/// names another file (a restore or a copy swapped it), the server's writes would go to the
/// old, unlinked file and be lost: the server must notice and stop.
public struct DatabaseFileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64

    /// `nil` when nothing is at `path`.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
