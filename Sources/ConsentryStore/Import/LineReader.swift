import Foundation
import ConsentryRecords

/// Reads a file one line at a time with a fixed-size buffer (`getline`), so memory does not
/// grow with the file.
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    private(set) var lineNumber = 0
    private(set) var bytesRead = 0
    let totalBytes: Int

    init(path: String) throws {
        guard let file = fopen(path, "r") else {
            throw StoreError(code: .unreadableInput, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        var info = stat()
        totalBytes = stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next line without its line break, or `nil` at end of file.
    func next() -> Substring? {
        let count = getline(&buffer, &capacity, file)
        guard count >= 0, let buffer else { return nil }
        lineNumber += 1
        bytesRead += count
        var length = count
        if length > 0, buffer[length - 1] == 0x0A { length -= 1 }
        let raw = UnsafeRawBufferPointer(start: buffer, count: length)
        return Substring(String(decoding: raw, as: UTF8.self))
    }
}
