import ConsentryCore
import ConsentryCrypto
import Foundation

/// The transparency log's published documents, and their offline verification: what the
/// server serves, `consentry transparency verify` and the witness check, and
/// `scripts/transparency-verify.py` checks independently (same JSON, same bytes).
///
/// Hashes, salts and signatures are standard base64; the JWKS key is base64url (RFC 8037).
public enum TransparencyDocuments {
    public static func json(_ head: SignedTreeHead, keyID: String) -> JSONValue {
        .object([
            ("treeSize", .number(String(head.treeSize))), ("rootHash", .string(Data(head.rootHash).base64EncodedString())),
            ("timestamp", .number(String(head.timestamp))),
            ("time", .string(ISOTimestamp.format(Date(timeIntervalSince1970: Double(head.timestamp) / 1000)))),
            ("signature", .string(Data(head.signature).base64EncodedString())), ("keyId", .string(keyID)),
        ])
    }

    /// The JWKS of the tree-head key (OKP, Ed25519).
    public static func jwks(publicKey: [UInt8]) -> JSONValue {
        let x = Base64URL.encode(publicKey)
        return .object([("keys", .array([.object([
            ("kty", .string("OKP")), ("crv", .string("Ed25519")), ("x", .string(x)), ("kid", .string(SignedTreeHead.keyID(publicKey))),
            ("use", .string("sig")), ("alg", .string("EdDSA")),
        ])]))])
    }

    /// Entry `seq`'s inclusion proof for `customerID`, against a head that covers it; `nil`
    /// when there is no such entry, or it is not about this customer (the same answer).
    public static func inclusion(seq: Int64, customerID: String, log: TransparencyLog) async throws -> JSONValue? {
        guard seq > 0, let leaf = try await log.leaf(seq: seq), leaf.customerID == customerID,
            let head = try await log.head(covering: seq)
        else { return nil }
        let proof = try await log.inclusionProof(seq: seq, size: head.treeSize)
        var entry: [(String, JSONValue)] = [
            ("seq", .number(String(leaf.seq))), ("occurredAt", .string(leaf.occurredAt)), ("actorKind", .string(leaf.actorKind)),
            ("actorId", .string(leaf.actorID)), ("action", .string(leaf.action)), ("customerId", .string(customerID)),
        ]
        entry.append(("purpose", leaf.purpose.map(JSONValue.string) ?? .null))
        entry += [("fields", .string(leaf.fields)), ("outcome", .string(leaf.outcome))]
        return .object([
            ("entry", .object(entry)), ("salt", .string(Data(leaf.salt).base64EncodedString())),
            ("leafIndex", .number(String(seq - 1))), ("leafHash", .string(Data(leaf.hash).base64EncodedString())),
            ("treeHead", json(head, keyID: log.keyID)),
            ("inclusionProof", .array(proof.map { .string(Data($0).base64EncodedString()) })),
        ])
    }

    /// The consistency proof between two sizes, with the heads signed at them (if any was).
    public static func consistency(from: Int, to: Int, log: TransparencyLog) async throws -> JSONValue {
        let proof = try await log.consistencyProof(from: from, to: to)
        let keyID = log.keyID
        return .object([
            ("from", try await log.head(size: from).map { json($0, keyID: keyID) } ?? .object([("treeSize", .number(String(from)))])),
            ("to", try await log.head(size: to).map { json($0, keyID: keyID) } ?? .object([("treeSize", .number(String(to)))])),
            ("proof", .array(proof.map { .string(Data($0).base64EncodedString()) })),
        ])
    }

    // MARK: Verification

    /// Why a document does not verify.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The public key named `kid` in a JWKS document.
    public static func publicKey(jwks: JSONValue, keyID: String?) throws -> [UInt8] {
        guard case .array(let keys)? = jwks["keys"] else { throw Failure("the JWKS has no keys") }
        for key in keys where key["crv"]?.stringValue == "Ed25519" && (keyID == nil || key["kid"]?.stringValue == keyID) {
            if let x = key["x"]?.stringValue, let bytes = Base64URL.decode(x), bytes.count == 32 { return bytes }
        }
        throw Failure("the JWKS has no Ed25519 key \(keyID ?? "")")
    }

    /// A signed head from its JSON, its signature checked with `publicKey`.
    public static func verifiedHead(_ json: JSONValue?, publicKey: [UInt8]) throws -> SignedTreeHead {
        guard let json, let size = json["treeSize"].flatMap(integer), let root = json["rootHash"]?.stringValue.flatMap(base64),
            let timestamp = json["timestamp"].flatMap(integer), let signature = json["signature"]?.stringValue.flatMap(base64)
        else { throw Failure("the tree head is incomplete (treeSize, rootHash, timestamp, signature)") }
        let head = SignedTreeHead(treeSize: Int(size), rootHash: root, timestamp: timestamp, signature: signature)
        guard head.isValid(publicKey: publicKey) else { throw Failure("the tree head's signature does not verify with the published key") }
        return head
    }

    /// Checks an inclusion proof document: the head's signature, the leaf rebuilt from the
    /// entry and its salt, and the audit path to the signed root.
    /// - Returns: the verified head and entry number.
    @discardableResult
    public static func verifyInclusion(_ document: JSONValue, publicKey: [UInt8]) throws -> (head: SignedTreeHead, seq: Int64) {
        let head = try verifiedHead(document["treeHead"], publicKey: publicKey)
        guard let entry = document["entry"], let seq = entry["seq"].flatMap(integer), let salt = document["salt"]?.stringValue.flatMap(base64),
            case .array(let items)? = document["inclusionProof"]
        else { throw Failure("the proof is incomplete (entry, salt, inclusionProof)") }
        let text = { (name: String) -> String? in entry[name]?.stringValue }
        guard let occurredAt = text("occurredAt"), let kind = text("actorKind"), let actor = text("actorId"), let action = text("action"),
            let fields = text("fields"), let outcome = text("outcome")
        else { throw Failure("the entry is incomplete") }
        let leaf = TransparencyLeaf(
            seq: seq, occurredAt: occurredAt, actorKind: kind, actorID: actor, action: action, customerID: text("customerId"),
            purpose: text("purpose"), fields: fields, outcome: outcome, salt: salt)
        let path = try hashes(items)
        guard MerkleTree.verifyInclusion(leaf: leaf.hash, index: Int(seq - 1), size: head.treeSize, proof: path, root: head.rootHash) else {
            throw Failure("entry \(seq) is not in the signed tree of \(head.treeSize) entries: the entry, its salt or the path was altered")
        }
        return (head, seq)
    }

    /// Checks a consistency document whose two heads are signed: the later tree extends the earlier.
    @discardableResult
    public static func verifyConsistency(_ document: JSONValue, publicKey: [UInt8]) throws -> (from: SignedTreeHead, to: SignedTreeHead) {
        let from = try verifiedHead(document["from"], publicKey: publicKey)
        let to = try verifiedHead(document["to"], publicKey: publicKey)
        guard case .array(let items)? = document["proof"] else { throw Failure("the document has no proof") }
        let path = try hashes(items)
        guard MerkleTree.verifyConsistency(from: from.treeSize, to: to.treeSize, fromRoot: from.rootHash, toRoot: to.rootHash, proof: path) else {
            throw Failure("the tree of \(to.treeSize) entries does not extend the tree of \(from.treeSize): the log was rewritten")
        }
        return (from, to)
    }

    /// A proof's hashes: each 32 bytes of base64.
    static func hashes(_ items: [JSONValue]) throws -> [[UInt8]] {
        try items.map { item in
            guard let hash = item.stringValue.flatMap(base64), hash.count == 32 else { throw Failure("a proof hash is not 32 bytes of base64") }
            return hash
        }
    }

    static func integer(_ value: JSONValue) -> Int64? {
        if case .number(let text) = value { return Int64(text) }
        return nil
    }

    static func base64(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { Array($0) } }
}
