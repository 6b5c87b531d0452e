/// Where customers live. The core states what it needs; the store decides how.
public protocol CustomerRepository: Sendable {
    /// Creates a customer from a validated draft and returns it with its id and version 1.
    func create(_ draft: CustomerDraft) async throws -> Customer
    /// The customer with `id`, decrypted, or `nil`.
    func customer(id: String) async throws -> Customer?
    /// Customers whose `field` equals `value` after normalisation.
    func customers(where field: BlindIndexField, equals value: String) async throws -> [Customer]
    /// How many customers are stored.
    func count() async throws -> Int
}
