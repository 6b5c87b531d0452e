import ArgumentParser
import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryPolicy
import ConsentryStore
import ConsentryWeb
import Foundation
import Hummingbird
import Logging
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP server. With --demo, an empty data directory is initialised and loaded with Fixtures/ first.")

    @OptionGroup var data: DataOptions
    @OptionGroup var policy: PolicyOptions
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Initialise and load the synthetic fixtures if the data directory is empty.") var demo = false
    @Option(help: "Fixtures directory for --demo.") var fixtures = "Fixtures"
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Option(help: "Customer tokens: the issuer (iss) to accept.") var jwtIssuer: String?
    @Option(help: "Customer tokens: the audience (aud) to accept.") var jwtAudience: String?
    @Option(help: "Customer tokens: a file with the HS256 secret (base64).") var jwtSecretFile: String?
    @Option(help: "Customer tokens: a JWKS file with the identity provider's ES256/RS256 keys, read again within 10 s when it changes.") var jwksFile: String?
    @Option(help: "Privacy center sign-in: the OpenID Connect provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration).")
    var oidcIssuer: String?
    @Option(help: "Privacy center sign-in: Consentry's client id at the provider.") var oidcClientId: String?
    @Option(help: "Privacy center sign-in: a file with the client secret (a public client relies on PKCE alone).") var oidcClientSecretFile: String?
    @Option(help: "The URL browsers reach this server at (https://privacy.example.com); the OpenID redirect is <url>/privacy/sign-in/callback.")
    var publicUrl: String?
    @Flag(help: "Accept plain-http event callbacks to hosts other than loopback (a mesh that adds TLS).") var allowHttpCallbacks = false
    @Option(help: "A callback host (name, IP or *.domain) allowed to resolve to a loopback or private address; repeatable. --demo allows localhost and 127.0.0.1.")
    var allowCallbackHost: [String] = []
    @Flag(help: "Refuse a policy (at start and on every reload) whose tests in Policies/tests fail.") var requirePolicyTests = false
    @Flag(help: "Four-eyes erasure: the officer who carries out an erasure must not be the one who verified the requester's identity.")
    var fourEyes = false
    @Option(help: "Hours between retention sweeps (0: none; run `consentry retention` instead).") var retentionHours = 24

    /// `--allow-callback-host` values, and loopback for the demo (its receivers run locally).
    func internalCallbackHosts() throws -> [CallbackHostPattern] {
        try (allowCallbackHost + (demo ? ["localhost", "127.0.0.1", "::1"] : [])).map { text in
            guard let pattern = CallbackHostPattern(text) else { throw ValidationError("--allow-callback-host \(text) is not a host name, an IP address or *.domain") }
            return pattern
        }
    }

    func run() async throws {
        let policies = try policy.load(requireTests: requirePolicyTests)
        let directory = data.dataDirectory
        // One server per SQLite installation, and no restore under it (PostgreSQL: a fleet).
        let lock = directory.databaseURL == nil ? try InstallationLock(directory: directory, purpose: "serve") : nil
        defer { withExtendedLifetime(lock) {} }
        var imported: Int?
        var otherLaws = 0
        if demo, await !directory.isInitialized {
            let (database, keys) = try await directory.initialize()
            let file = (fixtures as NSString).appendingPathComponent("customers.jsonl")
            let report = try await CustomerImporter(store: EncryptedCustomerStore(database: database, keys: keys)).run(path: file)
            imported = report.imported
            // Three customers under other laws (California, the UK, Brazil), for the jurisdiction examples.
            let others = (fixtures as NSString).appendingPathComponent("customers-other-laws.jsonl")
            if FileManager.default.fileExists(atPath: others) {
                otherLaws = try await CustomerImporter(store: EncryptedCustomerStore(database: database, keys: keys)).run(path: others).imported
            }
            _ = try await DemoSeed.consents(database: database)
        }
        let (database, keys) = try await directory.open()
        let services = ConsentryServices(
            database: database, keys: keys, policies: policies, customerTokens: try await customerTokens(),
            receipts: try await ReceiptSigner.make(keyManager: keys.current),
            delivery: DeliverySettings(allowPlainHTTPCallbacks: allowHttpCallbacks, internalCallbackHosts: try internalCallbackHosts(), serverPort: port),
            erasureLedger: ErasureLedger(dataDirectory: directory), retentionInterval: retentionHours > 0 ? .seconds(retentionHours * 3600) : nil,
            fourEyes: fourEyes)
        // An erasure whose ledger line was lost in a crash is recorded now.
        try await services.eraser.ledger.reconcile(with: database)
        if imported != nil {
            try await DemoSeed.requests(
                database: database, journal: services.journal, workflow: services.workflow, policyVersion: policies.policy.version)
        }
        let demoKeys = demo ? try await makeDemoKeys(services.apiKeys) : [:]
        let web = try await WebPages.make(
            services: services,
            settings: WebSettings(
                demoCustomers: demo ? try await DemoCustomer.list(customers: services.customers, database: database, policy: policies.policy) : nil,
                openID: try openID()))
        let app = buildApplication(
            services: services, settings: ServerSettings(
                host: host, port: port, logLevel: Logger.Level(rawValue: logLevel) ?? .info,
                databaseFile: directory.databaseURL == nil ? directory.databasePath : nil),
            surfaces: [web])

        // SIGHUP re-reads the key file (after `consentry keys rotate`) and Policies/.
        let reloader = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                do {
                    try await keys.reload()
                    Terminal.note("keys reloaded: active KEK version \(keys.current.ring.activeVersion)")
                } catch {
                    Terminal.note("key reload failed, keeping the loaded keys: \(error)")
                }
                switch policies.reload() {
                case .success(let policy): Terminal.note("policy reloaded: \(policy.version)")
                case .failure(let error):
                    Terminal.note("policy reload failed, keeping \(policies.policy.version):\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
                }
            }
        }
        defer { reloader.cancel() }
        if demo { printDemoGuide(imported: imported, otherLaws: otherLaws, customers: try await services.customers.count(), keys: demoKeys, policyVersion: policies.policy.version) }
        do {
            try await app.runService()
        } catch where "\(error)".contains("Address already in use") {
            throw CommandFailure(
                message: "port \(port) on \(host) is already in use (another consentry, or another program); stop it, or choose another port with --port",
                exitCode: CommandFailure.tryAgain)
        }
    }

    /// The customer identity provider: the options if given, else the development key with
    /// `--demo`, else none (then `/self` answers 401).
    private func customerTokens() async throws -> CustomerTokenVerifier? {
        if jwtSecretFile != nil || jwksFile != nil {
            guard let issuer = jwtIssuer, let audience = jwtAudience else {
                throw ValidationError("--jwt-issuer and --jwt-audience are required with --jwt-secret-file or --jwks-file")
            }
            var settings = CustomerIdentitySettings(issuer: issuer, audience: audience)
            if let file = jwtSecretFile {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                    let secret = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), secret.count >= 32
                else { throw ValidationError("\(file) must hold a base64 secret of at least 32 bytes") }
                settings.hs256Secret = SecureBytes(copying: secret)
            }
            settings.jwksFile = jwksFile
            return try await CustomerTokenVerifier.make(settings)
        }
        return demo ? try await CustomerTokenVerifier.make(try DevelopmentIdentity.settings(dataDir: data.dataDir)) : nil
    }

    /// The privacy center's OpenID Connect provider, if the options name one.
    private func openID() throws -> OpenIDSettings? {
        guard let issuer = oidcIssuer else {
            if oidcClientId != nil { throw ValidationError("--oidc-client-id needs --oidc-issuer") }
            return nil
        }
        guard let client = oidcClientId else { throw ValidationError("--oidc-issuer needs --oidc-client-id") }
        let base = publicUrl ?? "http://\(host):\(port)"
        var secret: String?
        if let file = oidcClientSecretFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("\(file) must hold the OpenID client secret")
            }
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return OpenIDSettings(
            issuer: issuer, clientID: client, clientSecret: secret,
            redirectURL: (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/privacy/sign-in/callback")
    }

    /// The demo's keys, by principal and by the variable `demo-keys.env` sets.
    private static let demoPrincipals: [(principal: Principal, variable: String)] = [
        (Principal(kind: .module, id: "csr-toolbox"), "CSR_KEY"), (Principal(kind: .module, id: "customer-loyalty-management"), "LOYALTY_KEY"),
        (Principal(kind: .module, id: "customer-order-management"), "ORDER_KEY"),
        (Principal(kind: .module, id: "customer-insight-management"), "INSIGHT_KEY"),
        (Principal(kind: .operator, id: "demo-operator"), "OPERATOR_KEY"), (Principal(kind: .officer, id: "demo-dpo"), "OFFICER_KEY"),
    ]

    /// The keys of `demo-keys.env` while every one still authenticates as its principal, so a
    /// restarted demo keeps the second terminal's sourced keys working; otherwise new keys
    /// (the previous demo keys revoked), written 0600 next to the database.
    private func makeDemoKeys(_ store: ApiKeyStore) async throws -> [String: String] {
        let file = (data.dataDir as NSString).appendingPathComponent("demo-keys.env")
        if let text = try? String(contentsOfFile: file, encoding: .utf8) {
            var values: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
            }
            var kept: [String: String] = [:]
            for (principal, variable) in Self.demoPrincipals {
                if let token = values[variable], try await store.authenticate(token) == principal { kept[principal.id] = token }
            }
            if kept.count == Self.demoPrincipals.count { return kept }
        }
        for key in try await store.list(includeRevoked: false) where key.label == "demo" { try await store.revoke(key.id) }
        var tokens: [String: String] = [:]
        for (principal, _) in Self.demoPrincipals {
            tokens[principal.id] = try await store.create(for: principal, label: "demo").token
        }
        let text = Self.demoPrincipals.map { "\($0.variable)=\(tokens[$0.principal.id]!)\n" }.joined()
        try PrivateOutputFile.replace(file, with: Data(text.utf8))
        return tokens
    }

    private func printDemoGuide(imported: Int?, otherLaws: Int, customers: Int, keys: [String: String], policyVersion: String) {
        let base = "http://\(host):\(port)"
        let loaded = imported.map {
            "initialised \(data.dataDir), imported \($0) synthetic customers from \(fixtures)/ and seeded 4 data-subject requests (one erasure carried out)"
                + (otherLaws > 0 ? "; \(otherLaws) more live under other laws (California, the UK, Brazil)" : "")
        } ?? "using the existing data in \(data.dataDir)"
        let api = "\(base)/tmf-api/customerManagement/v4"
        print("""
            Consentry demo: \(loaded) (\(customers) customers, every personal field encrypted).
            Policy \(policy.policies)/ version \(policyVersion). Demo API keys (kept across restarts of this demo) are in \(data.dataDir)/demo-keys.env:
              csr-toolbox                  \(keys["csr-toolbox"] ?? "")
              customer-loyalty-management  \(keys["customer-loyalty-management"] ?? "")
              operator                     \(keys["demo-operator"] ?? "")
              compliance officer           \(keys["demo-dpo"] ?? "")
            Open the privacy center at \(base)/privacy (pick a synthetic customer) and the compliance console at
            \(base)/console (sign in with the compliance officer's key above, or the operator's).
            Listening on \(base). README.md, "Set up a second terminal", sets every variable its examples use. Or try:
              . \(data.dataDir)/demo-keys.env
              curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: customer-care' '\(api)/customer?limit=2'
              curl -s -H "Authorization: Bearer $LOYALTY_KEY" -H 'X-Purpose: direct-marketing' '\(api)/audience?limit=3&fields=engagedParty,contactMedium'
              curl -s -H "Authorization: Bearer $CSR_KEY" -H 'X-Purpose: direct-marketing' '\(api)/customer?limit=1'   # 403 with the reason
              curl -s \(base)/health/ready
              curl -s \(base)/metrics | grep '^consentry_'
              curl -s \(base)/openapi.yaml | head
              swift run consentry audit verify --data-dir \(data.dataDir)
              swift run consentry policy explain --module csr-toolbox --purpose customer-care
              TOKEN=$(swift run consentry token --customer <id> --data-dir \(data.dataDir))   # a customer's sign-in
              curl -s -H "Authorization: Bearer $TOKEN" \(base)/self/v1/me/consents
            Stop with Ctrl-C.
            """)
        fflush(nil)  // stdout may be a pipe or file: show the guide now
    }
}
