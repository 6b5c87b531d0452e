import ArgumentParser
import ConsentryCrypto
import ConsentryHTTP
import ConsentryStore
import Foundation
import Hummingbird
import Logging
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP server. With --demo, an empty data directory is initialised and loaded with Fixtures/ first.")

    @OptionGroup var data: DataOptions
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Initialise and load the synthetic fixtures if the data directory is empty.") var demo = false
    @Option(help: "Fixtures directory for --demo.") var fixtures = "Fixtures"
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func run() async throws {
        let directory = data.dataDirectory
        var imported: Int?
        if demo && !directory.isInitialized {
            let (database, keys) = try await directory.initialize()
            let file = (fixtures as NSString).appendingPathComponent("customers.jsonl")
            let report = try await CustomerImporter(store: EncryptedCustomerStore(database: database, keys: keys)).run(path: file)
            imported = report.imported
        }
        let (database, keys) = try await directory.open()
        let services = ConsentryServices(database: database, keys: keys)
        let app = buildApplication(
            services: services, settings: ServerSettings(host: host, port: port, logLevel: Logger.Level(rawValue: logLevel) ?? .info))

        // SIGHUP re-reads the key file, e.g. after `consentry keys rotate`.
        let reloader = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                do {
                    try await keys.reload()
                    Terminal.note("keys reloaded: active KEK version \(keys.current.ring.activeVersion)")
                } catch {
                    Terminal.note("key reload failed, keeping the loaded keys: \(error)")
                }
            }
        }
        defer { reloader.cancel() }
        if demo { printDemoGuide(imported: imported, customers: try await services.customers.count()) }
        try await app.runService()
    }

    private func printDemoGuide(imported: Int?, customers: Int) {
        let base = "http://\(host):\(port)"
        let loaded = imported.map { "initialised \(data.dataDir) and imported \($0) synthetic customers from \(fixtures)/" }
            ?? "using the existing data in \(data.dataDir)"
        print("""
            Consentry demo: \(loaded) (\(customers) customers, every personal field encrypted).
            Listening on \(base). Try, from another terminal:
              curl -s \(base)/health/ready
              curl -s \(base)/metrics | grep '^consentry_'
              curl -s \(base)/openapi.yaml | head
              curl -s \(base)/no-such-route          # errors are RFC 7807 problem+json
              swift run consentry keys status --data-dir \(data.dataDir)
              swift run consentry import Fixtures/customers-legacy.csv --data-dir \(data.dataDir)
            Stop with Ctrl-C.
            """)
        fflush(nil)  // stdout may be a pipe or file: show the guide now
    }
}
