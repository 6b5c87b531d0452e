public import ConsentryCore
public import Foundation

/// Each customer's consent history, the state folded from it, and their signed receipts.
/// Changes are recorded through `PrivacyChangeJournal`, which announces them.
public protocol ConsentRecords: Sendable {
    /// The customer's consents, objections and restriction now, with their party type;
    /// `nil` for an unknown customer.
    func privacyState(customerID: String) async throws -> (state: CustomerPrivacyState, partyType: PartyType)?

    /// Every event, oldest first.
    func history(customerID: String) async throws -> [ConsentEvent]

    /// The customer's receipts, newest first.
    func receipts(customerID: String) async throws -> [StoredReceipt]

    /// One receipt by its id, with the customer it belongs to; `nil` for an unknown id.
    func receipt(id: String) async throws -> (customerID: String, receipt: StoredReceipt)?

    /// A page of the ids of customers not erased, with the total.
    func customerIDs(offset: Int, limit: Int) async throws -> (total: Int, ids: [String])
}
