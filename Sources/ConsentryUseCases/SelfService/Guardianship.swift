public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// A guardian acting for their minor dependants (GDPR Art. 8): who they are, and the one
/// rule that decides it, shared by the JSON API and the privacy center. A dependant is a
/// customer naming the guardian in `relatedParty` and younger than the policy's
/// `minors.ageOfMajority`, or the dependant's jurisdiction's own (an unknown age counts as a minor's).
public struct Guardianship: Sendable {
    let policies: PolicyRegistry
    let customers: any CustomerRecords
    let audit: any AuditTrail

    public init(policies: PolicyRegistry, customers: any CustomerRecords, audit: any AuditTrail) {
        self.policies = policies
        self.customers = customers
        self.audit = audit
    }

    /// The guardian's minor dependants, by id; each read is audited (given name and birth date).
    public func dependants(of guardian: Customer, requestID: String, now: Date = Date()) async throws -> [Customer] {
        let policy = policies.policy
        // The guardian index is 24 bits wide: confirm each match on the decrypted record. Each
        // dependant is a minor by the age of majority of the law they live under.
        let dependants = try await customers.customers(guardedBy: guardian.id)
            .filter { $0.profile.guardianIDs.contains(guardian.id) && ($0.profile.age(at: now) ?? 0) < Self.majority(of: $0, policy) }
            .sorted { $0.id < $1.id }
        try await audit.record(dependants.map { dependant in
            AuditEvent(
                actor: AuditActor(.customer, guardian.id), action: .guardianRead, customerID: dependant.id,
                fields: ["engagedParty.givenName", "engagedParty.birthDate"], outcome: "permitted",
                policyVersion: policies.policy.version, requestID: requestID)
        })
        return dependants
    }

    static func majority(of customer: Customer, _ policy: Policy) -> Int {
        policy.ageOfMajority(in: policy.jurisdiction(for: Residence(customer.profile)))
    }

    /// Records that `guardian` read `dependant`'s consents.
    public func recordConsentsRead(of dependant: Customer, by guardian: Customer, requestID: String) async throws {
        try await audit.record(AuditEvent(
            actor: AuditActor(.customer, guardian.id), action: .guardianConsentsRead, customerID: dependant.id, outcome: "permitted",
            policyVersion: policies.policy.version, requestID: requestID))
    }

    /// The dependant `id` of `guardian`, to act for.
    /// - Throws: `UseCaseError` `.notFound` for someone else's child or no customer at all
    ///   (the same answer, so that ids cannot be probed); `.forbidden` `dependant_of_age`.
    public func dependant(id: String, of guardian: Customer, now: Date = Date()) async throws -> Customer {
        guard let dependant = try await customers.customer(id: id), dependant.profile.guardianIDs.contains(guardian.id) else {
            throw UseCaseError(.notFound, code: "not_found", "no dependant of yours with this id")
        }
        if let age = dependant.profile.age(at: now), age >= Self.majority(of: dependant, policies.policy) {
            throw UseCaseError(.forbidden, code: "dependant_of_age", "this customer is of age and manages their own consents")
        }
        return dependant
    }
}
