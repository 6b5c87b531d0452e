import Foundation

/// Output helpers: results on stdout, progress and notes on stderr, a progress bar only on a
/// terminal (so scripts and CI logs stay clean).
enum Terminal {
    static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A one-line progress bar redrawn in place on stderr, at most ten times a second.
struct ProgressBar {
    let label: String
    private var lastDraw = Date.distantPast
    private let start = Date()
    let enabled: Bool

    init(label: String, enabled: Bool = Terminal.isInteractive) {
        self.label = label
        self.enabled = enabled
    }

    mutating func update(done: Int, total: Int, unit: String, force: Bool = false) {
        guard enabled, force || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = String(format: "\r%@ %@ %3.0f%% %@ (%.0f/s)", label, bar, fraction * 100, "\(done) \(unit)", Double(done) / elapsed)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
