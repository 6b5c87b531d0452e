import ConsentryCore
import ConsentryCrypto
import Foundation
import Yams

/// Reads `Policies/*.yaml` strictly: unknown keys, missing keys, wrong types, duplicate ids,
/// dangling references, bad durations and unmapped fields are all errors with file, line and
/// column. The policy version is a hash of the files' names and bytes, so the same files give
/// the same version on every machine.
public enum PolicyLoader {
    public struct Source: Sendable {
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// Loads every `*.yaml` file of `directory`, in name order.
    public static func load(directory: String) throws(PolicyError) -> Policy {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw PolicyError(problems: [PolicyProblem(file: directory, line: 0, column: 0, message: "cannot read the policy directory")])
        }
        var sources: [Source] = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                let text = String(data: data, encoding: .utf8)
            else {
                throw PolicyError(problems: [PolicyProblem(file: name, line: 0, column: 0, message: "cannot read the file as UTF-8")])
            }
            sources.append(Source(name: name, text: text))
        }
        return try load(sources)
    }

    public static func load(_ sources: [Source]) throws(PolicyError) -> Policy {
        var reader = PolicyDocumentReader()
        for source in sources { reader.read(source) }
        return try reader.finish(version: version(of: sources))
    }

    /// `sha256:` and the first 16 hex digits of SHA-256 over each file's name and bytes.
    public static func version(of sources: [Source]) -> String {
        var bytes: [UInt8] = []
        for source in sources.sorted(by: { $0.name < $1.name }) {
            bytes += Array(source.name.utf8) + [0] + Array(source.text.utf8) + [0]
        }
        return "sha256:" + SHA256.hexHash(bytes).prefix(16)
    }
}
