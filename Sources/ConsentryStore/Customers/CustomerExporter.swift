import ConsentryCore
import Foundation

/// Writes every customer, decrypted, as JSON Lines in the import format (plus `id`,
/// `status`, `version` and timestamps), so an export can be re-imported elsewhere.
///
/// An export is plaintext personal data leaving the hub: it is recorded as an operator event.
public struct CustomerExporter: Sendable {
    public let store: EncryptedCustomerStore
    public var pageSize = 500

    public init(store: EncryptedCustomerStore) { self.store = store }

    /// Streams all customers to `write`, a page at a time.
    /// - Returns: how many customers were exported.
    public func run(destination: String, write: (Data) throws -> Void) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var after: String?
        var count = 0
        while true {
            let page = try await store.page(after: after, limit: pageSize)
            guard let last = page.last else { break }
            for customer in page {
                var data = try encoder.encode(customer)
                data.append(0x0A)
                try write(data)
            }
            count += page.count
            after = last.id
        }
        try await store.database.recordOperatorEvent(action: "export", detail: "exported \(count) customers decrypted to \(destination)")
        return count
    }
}
