/// RFC 7386 JSON Merge Patch, the PATCH semantics TM Forum APIs use
/// (`application/merge-patch+json`): a member of the patch replaces the target's member of
/// the same name, an object merges into an object member recursively, `null` removes the
/// member, and anything that is not an object (a list included) replaces whole.
public enum JSONMergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members: [(String, JSONValue)] = if case .object(let existing) = target { existing } else { [] }
        for (name, change) in changes {
            let index = members.firstIndex { $0.0 == name }
            if change == .null {
                if let index { members.remove(at: index) }
            } else if let index {
                members[index].1 = apply(change, to: members[index].1)
            } else {
                members.append((name, apply(change, to: .null)))
            }
        }
        return .object(members)
    }
}
