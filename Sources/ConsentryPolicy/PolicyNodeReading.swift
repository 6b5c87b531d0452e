import ConsentryCore
import Yams

/// A position in a policy or test file, as problems name it.
struct PolicyLocation {
    var file: String
    var line: Int
    var column: Int
}

/// What the policy's readers (the policy files, the DPO's tests) share: the file being read,
/// the problems found so far, and the strict reading of YAML nodes into typed values, each
/// mistake a problem at its line and column.
protocol PolicyNodeReading {
    var file: String { get }
    var problems: [PolicyProblem] { get set }
}

extension PolicyNodeReading {
    typealias Location = PolicyLocation

    func location(_ node: Node) -> Location {
        Location(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    mutating func report(_ node: Node, _ message: String) {
        report(location(node), message)
    }

    mutating func report(_ at: Location, _ message: String) {
        problems.append(PolicyProblem(file: at.file, line: at.line, column: at.column, message: message))
    }

    /// The entries of a mapping with string keys, reporting duplicates (YAML allows them silently).
    mutating func mapping(_ node: Node, _ what: String) -> [(String, Node, Node)]? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        var seen = Set<String>()
        var entries: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(keyNode, "keys of \(what) must be plain text")
                continue
            }
            guard seen.insert(scalar.string).inserted else {
                report(keyNode, "duplicate key \"\(scalar.string)\" in \(what)")
                continue
            }
            entries.append((scalar.string, keyNode, value))
        }
        return entries
    }

    @discardableResult
    mutating func checkKeys(_ entries: [(String, Node, Node)], of node: Node, allowed: Set<String>, required: Set<String>, what: String) -> Bool {
        var ok = true
        for (key, keyNode, _) in entries where !allowed.contains(key) {
            report(keyNode, "unknown key \"\(key)\" in \(what); allowed: \(allowed.sorted().joined(separator: ", "))")
            ok = false
        }
        let present = Set(entries.map(\.0))
        for key in required.subtracting(present).sorted() {
            report(node, "\(what) lacks \"\(key)\"")
            ok = false
        }
        return ok
    }

    mutating func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(node, "\(what) must be non-empty text")
            return nil
        }
        return scalar.string
    }

    mutating func boolean(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.string == "true" || scalar.string == "false" else {
            report(node, "\(what) must be true or false")
            return nil
        }
        return scalar.string == "true"
    }

    mutating func list(_ node: Node, _ what: String) -> [(String, Location)] {
        guard case .sequence(let sequence) = node else {
            report(node, "\(what) must be a list")
            return []
        }
        var items: [(String, Location)] = []
        var seen = Set<String>()
        for item in sequence {
            guard let text = string(item, "an item of \(what)") else { continue }
            if !seen.insert(text).inserted { report(item, "\"\(text)\" appears twice in \(what)") }
            items.append((text, location(item)))
        }
        return items
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ node: Node, _: E.Type, _ what: String) -> E? where E.RawValue == String {
        guard let text = string(node, what) else { return nil }
        guard let value = E(rawValue: text) else {
            report(node, "\(what) is \"\(text)\"; expected one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    mutating func duration(_ node: Node, _ what: String) -> ISODuration? {
        guard let text = string(node, what) else { return nil }
        guard let duration = ISODuration(text) else {
            report(node, "\(what) \"\(text)\" is not an ISO 8601 duration such as P10Y, P18M or P30D")
            return nil
        }
        return duration
    }
}
