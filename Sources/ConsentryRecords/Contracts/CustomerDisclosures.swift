public import ConsentryCore

/// Guarded reads: customers as a decision lets them out. The caller decides per customer
/// (from their consent state and party type); only the fields the decision permits are
/// decrypted.
public protocol CustomerDisclosures: Sendable {
    /// The customers with these ids, in the order given; unknown ids are left out.
    func read(ids: [String], decide: AccessDecider) async throws -> [Disclosure]

    /// Exact search through the blind index of `field`.
    func search(_ field: BlindIndexField, value: String, decide: AccessDecider) async throws -> [Disclosure]

    /// A page of customers not erased, by id, with the total.
    func list(offset: Int, limit: Int, filter: CustomerListFilter, decide: AccessDecider) async throws -> (total: Int, items: [Disclosure])

    /// A keyset page of customers not erased, after `cursor` (from the first when `nil`), with
    /// the cursor to continue from (`nil` at the end): the same cost at any depth.
    func page(after cursor: String?, limit: Int, filter: CustomerListFilter, decide: AccessDecider) async throws -> (items: [Disclosure], next: String?)

    /// The customers `purpose` may be used for now, after a cursor, with the next cursor.
    func audience(purpose: Purpose, after cursor: String?, limit: Int, consentRequired: Bool?, decide: AccessDecider) async throws -> (items: [Disclosure], next: String?)
}
