import ConsentryCore
import ConsentryPolicy
import ConsentryRecords
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage

/// Issue #5's figures: the access report of a customer with 10,000 audit entries, the erasure
/// of one customer (without waiting for modules), and the consent CSV export of N customers.
enum ComplianceBenchmark {
    static func run(customers total: Int) async throws {
        let installation = try await TestInstallation.make()
        let policies = try PolicyRegistry(directory: RepositoryFixtures.policiesDirectory)
        let policy = policies.policy
        let audit = AuditLog(database: installation.database, keys: installation.keys)
        let journal = ChangeJournal(audit: audit, outbox: EventOutbox(database: installation.database), policy: { policies.policy })
        let eraser = CustomerEraser(
            database: installation.database, keys: installation.keys, journal: journal, ledger: ErasureLedger(dataDirectory: installation.dataDirectory))
        let reports = ComplianceReports(database: installation.database, customers: installation.store)
        var customers: [Customer] = []
        for index in 0..<300 { customers.append(try await installation.store.create(SyntheticCustomers().draft(index))) }

        // 1. Access report: 10,000 module reads of one customer in the audit, plus consent history.
        let target = customers[1]
        let modules = [("csr-toolbox", "customer-care"), ("billing-account-management", "billing"), ("customer-order-management", "order-management")]
        let fields = ["engagedParty.givenName", "engagedParty.familyName", "engagedParty.birthDate:masked", "contactMedium.email", "contactMedium.phone"]
        for batch in 0..<100 {
            try await audit.record((0..<100).map { i in
                let (module, purpose) = modules[(batch * 100 + i) % modules.count]
                return AuditEvent(actor: AuditActor(.module, module), action: AuditAction(rawValue: "customer.read"), customerID: target.id, purpose: purpose, fields: fields,
                                  outcome: "partial", policyVersion: policy.version, requestID: UUID().uuidString)
            })
        }
        for kind in [ConsentEvent.Kind.given, .withdrawn, .given] {
            try await journal.record(ConsentEvent(customerID: target.id, purpose: "loyalty", kind: kind, channel: .web),
                                     audit: [], correlationID: nil)
        }
        var times: [Double] = []
        var size = 0
        for _ in 0..<20 {
            let start = Date()
            let report = try await reports.access(customerID: target.id, policy: policy)!
            size = report.json.bytes.count + report.html.utf8.count
            times.append(Date().timeIntervalSince(start) * 1000)
        }
        times.sort()
        var parts: [Double] = []
        for _ in 0..<5 {
            let start = Date()
            _ = try await AuditReader(database: installation.database).recipients(customerID: target.id)
            parts.append(Date().timeIntervalSince(start) * 1000)
        }
        print(String(format: "  of which recipients from the audit: median %.1f ms", parts.sorted()[2]))
        print(String(format: "access report, 10,000 audit entries: median %.1f ms, max %.1f ms (report + JSON + HTML, %d bytes)", times[10], times[19], size))

        // 2. Erasure of one customer: holds, re-seal, key destruction, purge, tombstone, event, audit, ledger fsync.
        times = []
        for customer in customers[100..<300] {
            let start = Date()
            _ = try await eraser.erase(customerID: customer.id, requestID: nil, actor: AuditActor(.officer, "bench"), policy: policy, correlationID: nil)
            times.append(Date().timeIntervalSince(start) * 1000)
        }
        times.sort()
        print(String(format: "erasure of one customer (200 in turn): median %.2f ms, p90 %.2f ms, max %.2f ms", times[100], times[180], times[199]))

        // 3. Consent CSV export: N customers with two consent rows each. The export never decrypts,
        // so the rows are written directly; the customer rows carry no fields.
        let fill = Date()
        try await installation.database.write { db in
            let customer = """
                INSERT INTO customer (id, party_type, status, version, created_at, updated_at, wrapped_dek, kek_version, sealed_fields)
                VALUES (?, 'individual', 'active', 1, ?, ?, ?, 1, ?)
                """
            let consent = "INSERT INTO consent_state (customer_id, purpose, status, since, notice_version) VALUES (?, ?, ?, ?, '2026-02')"
            let now = Date()
            let placeholder = Data([0])
            for index in 0..<total {
                let id = String(format: "bench-%08d", index)
                try db.execute(customer, [id, now, now, placeholder, placeholder])
                try db.execute(consent, [id, "loyalty", index % 3 == 0 ? "withdrawn" : "given", now])
                try db.execute(consent, [id, "direct-marketing", index % 2 == 0 ? "given" : "refused", now])
            }
        }
        print(String(format: "(filled %d customers with 2 consents each in %.1f s)", total, Date().timeIntervalSince(fill)))
        // Reset the high-water mark so the figure is the export's own (Linux: clear_refs 5 resets VmHWM).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let before = highWaterMarkMegabytes()
        let path = installation.directory.file("consents.csv")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        let start = Date()
        let rows = try await reports.exportConsents(ComplianceReports.ConsentFilter()) { chunk in try handle.write(contentsOf: chunk) }
        try handle.close()
        let elapsed = Date().timeIntervalSince(start)
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(String(format: "consent CSV export: %d rows (%d customers) in %.1f s = %.0f rows/s, %.0f MB; peak RSS during the export %.1f MB (%.1f MB when it began)",
                     rows, total, elapsed, Double(rows) / elapsed, Double(bytes) / 1e6, highWaterMarkMegabytes(), before))
    }

    /// VmHWM from /proc/self/status: the peak resident set since the last reset.
    static func highWaterMarkMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return peakRSSMegabytes() }
        return kilobytes / 1024
    }
}
