public import ConsentryCore
public import Foundation

/// The breach register's storage: breaches, the customers each affected (with the
/// jurisdiction each fell under when it was recorded), and what finding and writing to those
/// customers needs.
public protocol BreachRecords: Sendable {
    /// The customers whose data `module` read, permitted or partly, in `[from, until)`, per
    /// the audit trail, and the data categories those reads disclosed.
    func customersRead(byModule module: String, from: Date, until: Date, policy: Policy) async throws -> (customers: [String], categories: [String])

    /// Of `ids`, those no customer row has (never stored); erased customers are known.
    func unknownCustomers(_ ids: [String]) async throws -> [String]

    /// Stores a new breach and its affected customers, each with their jurisdiction now.
    /// - Returns: affected customers by jurisdiction id.
    func insert(_ breach: PersonalDataBreach, affected: [String], policy: Policy) async throws -> [String: Int]

    func update(_ breach: PersonalDataBreach) async throws

    func breach(id: String) async throws -> PersonalDataBreach?

    /// Every breach, newest discovery first.
    func breaches() async throws -> [PersonalDataBreach]

    /// The affected customers of a breach, by id, with the jurisdiction recorded for each.
    func affected(breachID: String) async throws -> [(customerID: String, jurisdiction: String)]

    /// The name and preferred language of each customer still stored (nothing for erased ones):
    /// what a letter is addressed with.
    func addressees(customerIDs: [String]) async throws -> [String: (name: String?, language: String?)]
}
