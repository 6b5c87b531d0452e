import ArgumentParser
import AsyncHTTPClient
import ConsentryCore
import ConsentryCrypto
import ConsentryStore
import Foundation
import NIOCore
import NIOHTTP1

/// `consentry transparency`: check the customer-verifiable access log from outside, with the
/// published key alone: a proof a customer downloaded, a consistency proof between two
/// heads, or, as a witness, the log's heads over time.
struct TransparencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transparency", abstract: "Verify proofs of the transparency log, offline, or watch the log as a witness.",
        subcommands: [Verify.self, Witness.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an inclusion proof (from the privacy dashboard) or a consistency proof, offline; exit 1 if it does not verify.",
            discussion: "The JWKS is the log's published key (GET /transparency/v1/jwks); keep the one you trust.")
        @Option(help: "The log's JWKS (GET /transparency/v1/jwks).") var jwks: String
        @Option(help: "An inclusion proof (GET /self/v1/me/dashboard/access/{entry}/proof).") var proof: String?
        @Option(help: "A consistency proof (GET /transparency/v1/consistency?from=&to=).") var consistency: String?

        func validate() throws {
            guard (proof == nil) != (consistency == nil) else { throw ValidationError("give exactly one of --proof and --consistency") }
        }

        func run() async throws {
            let keys = try TransparencyCommand.read(jwks)
            do {
                if let proof {
                    let document = try TransparencyCommand.read(proof)
                    let key = try TransparencyDocuments.publicKey(jwks: keys, keyID: document["treeHead"]?["keyId"]?.stringValue)
                    let (head, seq) = try TransparencyDocuments.verifyInclusion(document, publicKey: key)
                    print("verified: entry \(seq) is in the log's signed tree of \(head.treeSize) entries (head signed \(TransparencyCommand.time(head)))")
                } else if let consistency {
                    let document = try TransparencyCommand.read(consistency)
                    let key = try TransparencyDocuments.publicKey(jwks: keys, keyID: document["to"]?["keyId"]?.stringValue)
                    let (from, to) = try TransparencyDocuments.verifyConsistency(document, publicKey: key)
                    print("verified: the tree of \(to.treeSize) entries extends the tree of \(from.treeSize) (nothing before entry \(from.treeSize + 1) changed)")
                }
            } catch let failure as TransparencyDocuments.Failure {
                print("NOT verified: \(failure.description)")
                throw ExitCode(1)
            }
        }
    }

    struct Witness: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch the log's signed heads periodically, check each extends the last one seen, and report a fork or a rollback (exit 2).",
            discussion: """
                The state file keeps the key seen first (pinned) and the last head checked. A head smaller than the last one (a \
                server restored from an old backup), one of the same size with another root, one whose consistency proof fails, \
                or a head signed by another key is reported and ends the witness with exit 2.
                """)
        @Option(help: "The server's base URL, such as https://privacy.operator.example.") var url: String
        @Option(help: "Where the witness keeps the pinned key and the last head (JSON).") var state: String
        @Option(help: "Seconds between checks.") var interval = 60
        @Flag(help: "Check once and stop.") var once = false

        func run() async throws {
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url
            while true {
                do {
                    print(try await check(base: base))
                } catch let alarm as Alarm {
                    print("ALARM: \(alarm.description)")
                    throw ExitCode(2)
                }
                fflush(nil)
                if once { return }
                try await Task.sleep(for: .seconds(max(1, interval)))
            }
        }

        struct Alarm: Error, CustomStringConvertible { var description: String }

        /// One round: the head, checked against the pinned key and the last head seen.
        func check(base: String) async throws -> String {
            var saved = (try? TransparencyCommand.read(state)) ?? .object([])
            let publicKey: [UInt8]
            if let pinned = saved["publicKey"]?.stringValue, let bytes = Data(base64Encoded: pinned) {
                publicKey = Array(bytes)
            } else {
                publicKey = try TransparencyDocuments.publicKey(jwks: try await fetch(base + "/transparency/v1/jwks"), keyID: nil)
                saved.set("publicKey", .string(Data(publicKey).base64EncodedString()))
            }
            let head: SignedTreeHead
            do { head = try TransparencyDocuments.verifiedHead(try await fetch(base + "/transparency/v1/head"), publicKey: publicKey) } catch let failure as TransparencyDocuments.Failure {
                throw Alarm(description: "the head does not verify with the pinned key: \(failure.description)")
            }
            var report = "witnessed: \(head.treeSize) entries, root \(Data(head.rootHash).base64EncodedString()), signed \(TransparencyCommand.time(head))"
            if let last = saved["head"], let previous = try? TransparencyDocuments.verifiedHead(last, publicKey: publicKey) {
                if head.treeSize < previous.treeSize {
                    throw Alarm(description: "ROLLBACK: the log shrank from \(previous.treeSize) to \(head.treeSize) entries (a server restored from an old backup, or another log)")
                }
                if head.treeSize == previous.treeSize {
                    guard head.rootHash == previous.rootHash else {
                        throw Alarm(description: "FORK: two different trees of \(head.treeSize) entries are signed")
                    }
                } else {
                    let document = try await fetch(base + "/transparency/v1/consistency?from=\(previous.treeSize)&to=\(head.treeSize)")
                    guard case .array(let items)? = document["proof"] else { throw Alarm(description: "the server gave no consistency proof") }
                    let proof = items.compactMap { $0.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) } }
                    // Against the head *this witness* saw, not whatever the server says it was.
                    guard MerkleTree.verifyConsistency(from: previous.treeSize, to: head.treeSize, fromRoot: previous.rootHash, toRoot: head.rootHash, proof: proof) else {
                        throw Alarm(description: "FORK: the tree of \(head.treeSize) entries does not extend the tree of \(previous.treeSize) this witness saw")
                    }
                    report += ", consistent with \(previous.treeSize)"
                }
            }
            saved.set("head", TransparencyDocuments.json(head, keyID: SignedTreeHead.keyID(publicKey)))
            try Data(saved.indented.utf8).write(to: URL(fileURLWithPath: state), options: .atomic)
            return report
        }

        func fetch(_ url: String) async throws -> JSONValue {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                throw CommandFailure(message: "\(url) answered HTTP \(response.status.code)", exitCode: CommandFailure.tryAgain)
            }
            return try JSONValue.parse(Array(body.readableBytesView))
        }
    }

    static func read(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "cannot read \(path)", exitCode: CommandFailure.noInput)
        }
        do { return try JSONValue.parse(Array(data)) } catch {
            throw CommandFailure(message: "\(path) is not JSON", exitCode: CommandFailure.dataError)
        }
    }

    static func time(_ head: SignedTreeHead) -> String { ISOTimestamp.format(Date(timeIntervalSince1970: Double(head.timestamp) / 1000)) }
}
