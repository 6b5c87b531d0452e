import ArgumentParser
import ConsentryCrypto
import ConsentryStore
import Foundation

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Key-encryption key (KEK) versions: status, rotate, rewrap, retire.",
        subcommands: [Status.self, Rotate.self, Rewrap.self, Retire.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show KEK versions and how many wrapped keys use each.")
        @OptionGroup var data: DataOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let directory = data.dataDirectory
            let (database, keys) = try await directory.open()
            let status = try await KeyStatus.read(ring: keys.current.ring, source: directory.keySource, database: database)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(status), as: UTF8.self))
                return
            }
            print("keys from \(status.source); active version \(status.activeVersion)")
            print("version  state     data keys  system keys  created")
            for v in status.versions {
                let state = v.active ? "active" : (v.loaded ? "loaded" : "MISSING")
                let created = v.createdAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
                print(String(format: "%7d  %-8@  %9d  %11d  %@", v.version, state, v.dataKeys, v.systemKeys, created))
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new KEK version and make it active. Run `keys rewrap` next to move existing keys to it.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let directory = data.dataDirectory
            let (database, _) = try await directory.open()
            let version = try await KeyAdministration(source: directory.keySource, database: database).rotate()
            print("KEK version \(version) is now active; new customers use it. Run `consentry keys rewrap` to re-wrap existing data keys.")
            print("Running servers pick it up within 5 seconds by themselves (at once on SIGHUP); then run `consentry keys rewrap`.")
        }
    }

    struct Rewrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-wrap every data key to the active KEK version, in batches; safe to run while serving and to re-run after a crash.")
        @OptionGroup var data: DataOptions
        @Option(help: "Keys per committed batch.") var batchSize: Int = 500

        func run() async throws {
            let (database, keys) = try await data.dataDirectory.open()
            let rewrapper = KeyRewrapper(database: database, ring: keys.current.ring, batchSize: batchSize)
            var bar = ProgressBar(label: "rewrap")
            let count = try await rewrapper.run { done, total in bar.update(done: done, total: total, unit: "keys") }
            bar.finish()
            try await database.recordOperatorEvent(action: "keys.rewrap", detail: "re-wrapped \(count) keys to KEK version \(keys.current.ring.activeVersion)")
            print("re-wrapped \(count) keys to KEK version \(keys.current.ring.activeVersion); \(try await rewrapper.pendingCount()) remain on older versions")
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove KEK versions below N from the key file; refused while any key still uses one.")
        @OptionGroup var data: DataOptions
        @Option(name: .customLong("below"), help: "The new minimum decryption version.") var below: UInt32

        func run() async throws {
            let directory = data.dataDirectory
            let (database, _) = try await directory.open()
            let retired = try await KeyAdministration(source: directory.keySource, database: database).retire(below: below)
            print(retired.isEmpty ? "no version below \(below) to retire" : "retired KEK versions \(retired.map(String.init).joined(separator: ", "))")
        }
    }
}
