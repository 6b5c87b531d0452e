import ConsentryCore
import ConsentryStore
import ConsentryStorage

/// A synthetic customer the demo's sign-in page offers, so a new user can be a customer in
/// one click (`serve --demo` only; production signs in through OpenID Connect).
public struct DemoCustomer: Sendable {
    public var loginSubject: String
    public var name: String
    public var note: String

    public init(loginSubject: String, name: String, note: String) {
        self.loginSubject = loginSubject
        self.name = name
        self.note = note
    }

    var values: [String: String] { ["subject": loginSubject, "name": name, "note": note] }

    /// The first `count` customers of the demo by external id, up to three guardians of
    /// minors among the first 300 (to try the dependants page), and given `policy`, one
    /// customer under each jurisdiction other than the default (to try opt-outs): a bounded
    /// decryption at start, whatever the size of the data directory the demo runs on.
    public static func list(customers: EncryptedCustomerStore, database: AppDatabase, count: Int = 6, policy: Policy? = nil) async throws -> [DemoCustomer] {
        let ids = try await database.read { db in
            try db.fetchColumn(String.self, "SELECT id FROM customer WHERE erased_at IS NULL ORDER BY external_id LIMIT 300")
        }
        var all: [Customer] = []
        for id in ids { if let customer = try await customers.customer(id: id) { all.append(customer) } }
        var guardians: [String: Int] = [:]
        for customer in all { for guardian in customer.profile.guardianIDs { guardians[guardian, default: 0] += 1 } }
        var elsewhere: [String: Customer] = [:]
        if let policy {
            for customer in all.dropFirst(count) where customer.profile.loginSubject != nil {
                let law = policy.jurisdiction(for: Residence(customer.profile))
                if law.id != policy.defaultJurisdiction, elsewhere[law.id] == nil { elsewhere[law.id] = customer }
            }
        }
        let lawOf = Dictionary(elsewhere.map { ($0.value.id, policy?.jurisdictions[$0.key]?.name ?? $0.key) }, uniquingKeysWith: { a, _ in a })
        let chosen = all.prefix(count) + all.dropFirst(count).filter { guardians[$0.id] != nil }.prefix(3)
            + elsewhere.keys.sorted().compactMap { elsewhere[$0] }
        return chosen.compactMap { customer in
            guard let subject = customer.profile.loginSubject else { return nil }
            let name: String = switch customer.profile.engagedParty {
            case .individual(let person): "\(person.givenName) \(person.familyName)"
            case .organization(let organization): organization.name
            }
            var notes: [String] = []
            if let count = guardians[customer.id] { notes.append("guardian of \(count)") }
            if case .organization = customer.profile.engagedParty { notes.append("organization") }
            if let law = lawOf[customer.id] { notes.append("lives in \(law)") }
            return DemoCustomer(loginSubject: subject, name: name, note: notes.joined(separator: ", "))
        }
    }
}
