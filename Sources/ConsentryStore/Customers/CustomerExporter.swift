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

    public struct Report: Sendable, Equatable {
        public var exported: Int
        /// Customers that do not decrypt (corrupt, or under a KEK version no longer loaded):
        /// skipped, by id, so one bad row does not stop everyone else's export.
        public var undecryptable: [String]
    }

    /// Streams all customers to `write`, a page at a time.
    /// - Parameter progress: called after each page with the customers written so far.
    public func run(destination: String, progress: (Int) -> Void = { _ in }, write: (Data) throws -> Void) async throws -> Report {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var after: String?
        var count = 0
        var undecryptable: [String] = []
        while true {
            let page = try await store.pageOrUndecryptable(after: after, limit: pageSize)
            guard let last = page.last else { break }
            for (id, customer) in page {
                guard let customer else {
                    undecryptable.append(id)
                    continue
                }
                var data = try encoder.encode(customer)
                data.append(0x0A)
                try write(data)
                count += 1
            }
            after = last.id
            progress(count)
        }
        try await store.database.recordOperatorEvent(
            action: "export",
            detail: "exported \(count) customers decrypted to \(destination)" + (undecryptable.isEmpty ? "" : "; \(undecryptable.count) did not decrypt"))
        return Report(exported: count, undecryptable: undecryptable)
    }
}
