/// One thing wrong in a policy file, at a file, line and column.
public struct PolicyProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `modules.yaml:12:7: unknown key "purpose"`, the form editors and CI annotate.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A policy that did not load, with every problem found (not only the first).
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [PolicyProblem]

    public init(problems: [PolicyProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
