import ConsentryCore
import ConsentryCrypto
import ConsentryPolicy
@testable import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing
import ConsentryRecords

@Suite("Cryptographic erasure, backup and restore")
struct ErasureTests {
    struct Setup {
        let installation: TestInstallation
        let policy: Policy
        let eraser: CustomerEraser
        let customers: [Customer]
    }

    func setUp(count: Int = 12) async throws -> Setup {
        let installation = try await TestInstallation.make()
        let policies = try PolicyRegistry(directory: RepositoryFixtures.policiesDirectory)
        let eraser = CustomerEraser(
            database: installation.database, keys: installation.keys, ledger: ErasureLedger(dataDirectory: installation.dataDirectory), policy: { policies.policy })
        var customers: [Customer] = []
        for index in 0..<count { customers.append(try await installation.store.create(SyntheticCustomers().draft(index))) }
        return Setup(installation: installation, policy: policies.policy, eraser: eraser, customers: customers)
    }

    /// An adult individual with an email, a phone, an address and a login.
    func person(_ setup: Setup) throws -> Customer {
        try #require(setup.customers.first { c in
            guard case .individual(let p) = c.profile.engagedParty, p.birthDate.map({ $0 < "2000" }) == true else { return false }
            return !c.profile.emails.isEmpty && !c.profile.phoneNumbers.isEmpty && c.profile.loginSubject != nil
                && c.profile.contactMedium.contains { $0.mediumType == .postalAddress }
        })
    }

    func record(_ id: String, _ setup: Setup) async throws -> CustomerRecord {
        try #require(try await setup.installation.database.read { db in try db.customerRecords(ids: [id]).first })
    }

    @Test("after erasure nothing erased decrypts, no index finds the customer, exports and lists omit them, holds remain with their reason, the audit verifies")
    func erasure() async throws {
        let setup = try await setUp()
        let target = try person(setup)
        let before = try await record(target.id, setup)
        let result = try await setup.eraser.erase(
            customerID: target.id, requestID: "req-1", actor: AuditActor(.officer, "dpo"), policy: setup.policy, correlationID: "r-1")
        #expect(result.erasedNow)

        // Legal hold (accounting-and-tax: names, address, government id for P10Y): kept, with purpose and date.
        let held = Set(result.tombstone.held.map(\.field))
        #expect(held.isSuperset(of: ["engagedParty.givenName", "engagedParty.familyName", "contactMedium.postalAddress"]))
        #expect(result.tombstone.held.allSatisfy { $0.purposes == ["accounting-and-tax"] && $0.until > Date().addingTimeInterval(9 * 365 * 86400) })
        #expect(Set(result.tombstone.erasedFields).isSuperset(of: ["contactMedium.email", "contactMedium.phone", "loginSubject", "engagedParty.birthDate"]))

        // The old data key is gone: no old ciphertext opens under what is stored now.
        let after = try await record(target.id, setup)
        #expect(after.wrappedDek != before.wrappedDek)
        // The externalId is the legacy system's key to the person: it goes too.
        #expect(before.externalId != nil && after.externalId == nil)
        let newKey = try setup.installation.keys.current.dataKey(customerID: target.id, wrapped: Array(after.wrappedDek))
        for entry in try FieldVault(decoding: before.sealedFields).entries {
            #expect(throws: (any Error).self) { try newKey.open(entry.ciphertext, owner: target.id, field: entry.path.rawValue) }
        }
        let remaining = try FieldVault(decoding: after.sealedFields).entries
        #expect(remaining.count < (try FieldVault(decoding: before.sealedFields).entries.count))
        #expect(!remaining.contains { $0.path.rawValue == "loginSubject" })

        // Not found by any index, not exported, not listed, not readable as a whole customer.
        for email in target.profile.emails { #expect(try await setup.installation.store.customers(where: .email, equals: email).isEmpty) }
        for phone in target.profile.phoneNumbers { #expect(try await setup.installation.store.customers(where: .phone, equals: phone).isEmpty) }
        #expect(try await setup.installation.store.customers(where: .loginSubject, equals: target.profile.loginSubject!).isEmpty)
        #expect(try await setup.installation.store.customer(id: target.id) == nil)
        #expect(try await setup.installation.database.read { db in try db.fetchValue(Int.self, "SELECT COUNT(*) FROM blind_index WHERE customer_id = ?", [target.id])! } == 0)
        var exported = Data()
        _ = try await CustomerExporter(store: setup.installation.store).run(destination: "memory") { exported += $0 }
        #expect(!String(decoding: exported, as: UTF8.self).contains(target.id))
        #expect(try await setup.installation.store.count() == setup.customers.count - 1)
        // Reports omit them: no access report, no consent rows (an erasure report instead).
        try await ConsentLedger(database: setup.installation.database).record([
            ConsentEvent(customerID: setup.customers[0].id, purpose: "loyalty", kind: .given, channel: .web)])
        let reports = ComplianceReports(database: setup.installation.database, customers: setup.installation.store)
        #expect(try await reports.access(customerID: target.id, policy: setup.policy) == nil)
        #expect(try await reports.consentPage(.init(), offset: 0, limit: 1000).rows.allSatisfy { $0[0] != target.id })
        #expect(try await reports.erasure(customerID: target.id) != nil)

        // What the hold keeps is read for the holding purpose only.
        let reader = GuardedCustomerReader(database: setup.installation.database, keys: setup.installation.keys)
        let engine = DecisionEngine(policy: setup.policy)
        for (module, purpose, readable) in [("billing-account-management", "accounting-and-tax", true), ("csr-toolbox", "customer-care", false)] {
            let grant = try engine.authorize(module: module, purpose: purpose, operation: .read)
            let disclosure = try #require(try await reader.read(ids: [target.id]) { state, type in
                engine.decide(grant, customer: state, fields: PolicyField.applicable(to: type), now: Date())
            }.first)
            #expect((disclosure.decision.customerReason == nil) == readable, "\(purpose)")
            if readable {
                #expect(disclosure.customer.fields.contains { $0.path.rawValue == "engagedParty.familyName" })
                #expect(!disclosure.customer.fields.contains { $0.path.rawValue == "loginSubject" || $0.path.rawValue.hasPrefix("engagedParty.birthDate") })
            } else {
                #expect(disclosure.decision.customerReason == .erased && disclosure.customer.fields.isEmpty)
            }
        }

        // Receipts keep id, purpose and digest only; the audit trail still verifies and names the erasure.
        let audit = try await AuditVerifier(database: setup.installation.database, keys: setup.installation.keys).verify()
        #expect(audit.isIntact)
        let entry = try await setup.installation.database.read { db in
            try db.fetchOne("SELECT fields, reasons FROM audit_entry WHERE action = 'customer.erased' AND customer_id = ?", [target.id])
        }
        #expect((entry?["reasons"] as String?) == "LEGAL_HOLD")
        #expect(try setup.eraser.ledger.entries().map(\.customerId) == [target.id])

        // Erasing again changes nothing and reports the first erasure.
        let again = try await setup.eraser.erase(customerID: target.id, requestID: nil, actor: AuditActor(.officer, "dpo"), policy: setup.policy, correlationID: nil)
        #expect(!again.erasedNow && again.tombstone == result.tombstone)
    }

    @Test(
        "backup, erase, restore: the customer stays erased; a restore with no later erasure changes nothing",
        .enabled(if: TestEngine.current == .sqlite, "consentry backup/restore copy SQLite installations; PostgreSQL is backed up with its own tools"))
    func backupEraseRestore() async throws {
        let setup = try await setUp()
        let target = try person(setup)
        let backup = setup.installation.directory.path + "/before-erasure.sqlite"
        let size = try DatabaseBackup.create(from: setup.installation.database, to: backup)
        #expect(size > 0)
        let mode = try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: StoreError.self) { try DatabaseBackup.create(from: setup.installation.database, to: backup) }
        _ = try await setup.eraser.erase(customerID: target.id, requestID: "req-9", actor: AuditActor(.officer, "dpo"), policy: setup.policy, correlationID: nil)
        try setup.installation.database.close()

        let report = try await DatabaseBackup.restore(
            from: backup, into: setup.installation.dataDirectory, ledger: ErasureLedger(dataDirectory: setup.installation.dataDirectory), policy: setup.policy)
        #expect(report.reapplied == [target.id])
        let (database, keys) = try await setup.installation.dataDirectory.open()
        let store = EncryptedCustomerStore(database: database, keys: keys)
        #expect(try await store.customer(id: target.id) == nil, "the erased customer did not come back")
        for email in target.profile.emails { #expect(try await store.customers(where: .email, equals: email).isEmpty) }
        #expect(try await store.count() == setup.customers.count - 1)
        let others = setup.customers.filter { $0.id != target.id }
        for other in others.prefix(3) { #expect(try await store.customer(id: other.id) == other) }
        #expect(try await AuditVerifier(database: database, keys: keys).verify().isIntact)
        // The backup file is untouched: restoring it again re-applies the erasure again.
        try database.close()
        let second = try await DatabaseBackup.restore(
            from: backup, into: setup.installation.dataDirectory, ledger: ErasureLedger(dataDirectory: setup.installation.dataDirectory), policy: setup.policy)
        #expect(second.reapplied == [target.id])
    }

    @Test("a ledger line lost in a crash is recovered from the tombstones; a corrupt ledger names its line")
    func ledgerReconcile() async throws {
        let setup = try await setUp(count: 4)
        let target = try #require(setup.customers.first)
        _ = try await setup.eraser.erase(customerID: target.id, requestID: nil, actor: AuditActor(.operator, "ops"), policy: setup.policy, correlationID: nil)
        try FileManager.default.removeItem(atPath: setup.eraser.ledger.path)
        #expect(try await setup.eraser.ledger.reconcile(with: setup.installation.database) == 1)
        #expect(try await setup.eraser.ledger.reconcile(with: setup.installation.database) == 0)
        let handle = try #require(FileHandle(forWritingAtPath: setup.eraser.ledger.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n".utf8))
        try handle.close()
        #expect(throws: StoreError(code: .ledgerCorrupt, message: "\(setup.eraser.ledger.path):2: not an erasure entry")) { try setup.eraser.ledger.entries() }
    }
}
