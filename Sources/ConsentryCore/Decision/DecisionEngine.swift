import Foundation

/// Decides, without I/O, what a module may see of a customer for a purpose.
///
/// Two steps, both pure: `authorize` checks the principal (module × purpose × operation)
/// once per request; `decide` then applies one customer's state and the purpose's categories
/// to each requested field. Deny by default: a field the policy does not grant is withheld.
public struct DecisionEngine: Sendable {
    public let policy: Policy

    public init(policy: Policy) {
        self.policy = policy
    }

    /// - Throws: `AccessDenied` with the request-level reason.
    public func authorize(
        module moduleID: String, purpose purposeID: String, operation: ModuleOperation, updating categories: Set<String> = []
    ) throws(AccessDenied) -> PurposeGrant {
        func deny(_ reason: ReasonCode) -> AccessDenied { AccessDenied(reason: reason, module: moduleID, purpose: purposeID) }
        guard let module = policy.modules[moduleID] else { throw deny(.moduleUnknown) }
        guard let purpose = policy.purposes[purposeID] else { throw deny(.purposeUnknown) }
        guard module.purposes.contains(purposeID) else { throw deny(.purposeNotAllowedForModule) }
        guard module.operations.allows(operation) else { throw deny(.operationNotAllowed) }
        if operation == .update, !categories.isSubset(of: module.operations.update) { throw deny(.categoryNotUpdatable) }
        return PurposeGrant(module: module, purpose: purpose, operation: operation, policyVersion: policy.version)
    }

    /// Field by field, what `grant` may see of the customer whose state is `customer`.
    public func decide(_ grant: PurposeGrant, customer: CustomerPrivacyState, fields: [PolicyField], now: Date) -> AccessDecision {
        let stop = Self.customerReason(
            purpose: grant.purpose, customer: customer, now: now, jurisdiction: policy.jurisdiction(for: customer.residence))
        let decisions = fields.map { field -> FieldDecision in
            let category = policy.category(of: field)
            if let stop { return FieldDecision(field: field, category: category, treatment: .withheld, reason: stop) }
            switch grant.purpose.categories[category] {
            case .plain: return FieldDecision(field: field, category: category, treatment: .plain, reason: .permitted)
            case .masked: return FieldDecision(field: field, category: category, treatment: .masked, reason: .maskedByPolicy)
            case nil: return FieldDecision(field: field, category: category, treatment: .withheld, reason: .categoryNotInPurpose)
            }
        }
        return AccessDecision(
            customerID: customer.customerID, purpose: grant.purpose.id, policyVersion: grant.policyVersion,
            customerReason: stop, fields: decisions)
    }

    /// Whether the customer's state stops `purpose` altogether, and why. `nil` means it may go on.
    ///
    /// Order matters for the reason reported: erasure first (only a legal hold survives it),
    /// then retention (nothing may be used once it is over), then restriction, then the legal
    /// basis's own condition. Where the customer's jurisdiction lets the purpose run until the
    /// customer opts out (CPRA sale and sharing), that opt-out replaces the need for consent;
    /// a consent refused or withdrawn, or an objection, still stops it.
    public static func customerReason(purpose: Purpose, customer: CustomerPrivacyState, now: Date, jurisdiction: Jurisdiction? = nil) -> ReasonCode? {
        if customer.erasedAt != nil, purpose.legalBasis != .legalObligation { return .erased }
        if isRetentionOver(purpose.retention, customer: customer, now: now) { return .retentionOver }
        if customer.restricted, !purpose.legalBasis.survivesRestriction { return .restricted }
        if let right = jurisdiction?.optOut(covering: purpose.id) {
            if customer.optOuts.contains(right) { return right.reason }
            switch customer.consents[purpose.id]?.status {
            case .refused: return .consentRefused
            case .withdrawn: return .consentWithdrawn
            case .given, nil: break
            }
            return customer.objections.contains(purpose.id) ? .objection : nil
        }
        switch purpose.legalBasis {
        case .consent:
            guard let consent = customer.consents[purpose.id] else { return .noConsent }
            switch consent.status {
            case .refused: return .consentRefused
            case .withdrawn: return .consentWithdrawn
            case .given:
                if let expiry = consentExpiry(consent, settings: purpose.consent), expiry <= now { return .consentExpired }
            }
        case .legitimateInterest, .publicTask:
            if customer.objections.contains(purpose.id) { return .objection }
        case .contract, .legalObligation, .vitalInterest:
            break
        }
        return nil
    }

    /// The record's own expiry, or the policy's `expiresAfter` counted from when it was given,
    /// whichever comes first.
    public static func consentExpiry(_ consent: ConsentState, settings: Purpose.ConsentSettings?) -> Date? {
        let fromPolicy = settings?.expiresAfter.map { $0.added(to: consent.since) }
        switch (consent.expiresAt, fromPolicy) {
        case let (record?, policy?): return min(record, policy)
        case let (record, policy): return record ?? policy
        }
    }

    public static func isRetentionOver(_ retention: Purpose.Retention, customer: CustomerPrivacyState, now: Date) -> Bool {
        let start: Date?
        switch retention.from {
        case .relationshipEnd: start = customer.relationshipEndedAt
        case .collection: start = customer.createdAt
        }
        guard let start else { return false }
        return retention.period.added(to: start) <= now
    }
}

/// A module allowed a purpose and an operation, under one policy version.
public struct PurposeGrant: Sendable, Equatable {
    public var module: ModuleProfile
    public var purpose: Purpose
    public var operation: ModuleOperation
    public var policyVersion: String
}

/// The module may not make this request at all.
public struct AccessDenied: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: ReasonCode
    public var module: String
    public var purpose: String

    public init(reason: ReasonCode, module: String, purpose: String) {
        self.reason = reason
        self.module = module
        self.purpose = purpose
    }

    public var description: String { "\(reason.rawValue): \(reason.explanation)" }
}
