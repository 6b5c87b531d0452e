import ConsentryCore
import ConsentryRecords

/// `CustomerCorrections` over the encrypted store and the change journal: the new values
/// are sealed outside the transaction, then written with their audit entries and the
/// rectification event in one.
public struct CustomerCorrector: CustomerCorrections {
    let customers: EncryptedCustomerStore
    let journal: ChangeJournal

    public init(customers: EncryptedCustomerStore, journal: ChangeJournal) {
        self.customers = customers
        self.journal = journal
    }

    public func correct(
        id: String, expectedVersion: Int, to draft: CustomerDraft, changedFields: [String], audit: [AuditEvent], correlationID: String?
    ) async throws -> Customer {
        let update = try await customers.prepareUpdate(id: id, expectedVersion: expectedVersion, to: draft)
        return try await journal.rectify(update, changedFields: changedFields, audit: audit, correlationID: correlationID)
    }
}
