import ConsentryCore
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing

@Suite("Exact search through blind indexes")
struct BlindIndexSearchTests {
    @Test("Email, phone, national id and login subject find their customer after normalisation")
    func lookups() async throws {
        let installation = try await TestInstallation.make()
        var created: [Customer] = []
        for index in 0..<30 { created.append(try await installation.store.create(SyntheticCustomers().draft(index))) }
        let target = created[7]
        let email = try #require(target.profile.emails.first)
        #expect(try await installation.store.customers(where: .email, equals: "  " + email.uppercased() + " ").map(\.id) == [target.id])
        let phone = try #require(target.profile.phoneNumbers.first)
        #expect(try await installation.store.customers(where: .phone, equals: phone).map(\.id) == [target.id])
        let nationalId = try #require(target.profile.identificationNumbers.first)
        #expect(try await installation.store.customers(where: .nationalId, equals: nationalId.lowercased()).map(\.id) == [target.id])
        #expect(try await installation.store.customers(where: .loginSubject, equals: target.profile.loginSubject!).map(\.id) == [target.id])
        #expect(try await installation.store.customers(where: .email, equals: "nobody@example.com").isEmpty)
    }

    @Test("sign-in finds the customer by login subject and decrypts only what consent needs until asked for more")
    func signIn() async throws {
        let installation = try await TestInstallation.make()
        var created: [Customer] = []
        for index in 0..<240 { created.append(try await installation.store.create(SyntheticCustomers().draft(index))) }
        // A minor with a guardian, so that every field consent reads is there.
        let minor = try #require(created.first { !$0.profile.guardianIDs.isEmpty && $0.profile.loginSubject != nil })
        let signedIn = try #require(try await installation.store.signIn(subject: " " + minor.profile.loginSubject! + " "))
        #expect(signedIn.id == minor.id)
        #expect(try await signedIn.consentSubject() == ConsentSubject(minor))
        #expect(try await signedIn.customer() == minor)
        #expect(try await installation.store.signIn(subject: "idp|nobody") == nil)
        let organization = try #require(created.first { $0.profile.engagedParty.type == .organization && $0.profile.loginSubject != nil })
        let company = try await installation.store.signIn(subject: organization.profile.loginSubject!)?.consentSubject()
        #expect(company?.birthDate == nil && company?.partyType == .organization && company?.age(at: Date()) == nil)
    }

    @Test("A digest collision is filtered out by decrypting the candidate")
    func collisionsConfirmedByDecryption() async throws {
        let installation = try await TestInstallation.make()
        let a = try await installation.store.create(SyntheticCustomers().draft(1))
        let b = try await installation.store.create(SyntheticCustomers().draft(2))
        // Forge a collision: point B's email digest at A's email digest.
        try await installation.database.write { db in
            try db.execute("""
                UPDATE blind_index SET digest = (SELECT digest FROM blind_index WHERE customer_id = ? AND field = 'email' LIMIT 1)
                WHERE customer_id = ? AND field = 'email'
                """, [a.id, b.id])
        }
        let found = try await installation.store.customers(where: .email, equals: a.profile.emails[0])
        #expect(found.map(\.id) == [a.id])
        let digests = try await installation.database.read { db in
            try db.fetchColumn(Data.self, "SELECT digest FROM blind_index WHERE customer_id = ?", [a.id])
        }
        #expect(digests.allSatisfy { $0.count == 3 }, "24-bit truncated digests")
    }
}
