import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// Imports consent history from a legacy CRM (JSON Lines, one event per line) into the
/// append-only history, deriving the current state as it goes.
///
/// Each line names its customer by `externalId` or `customerId` and gives `purpose`, `kind`
/// (given, refused, withdrawn, objection, objection_withdrawn, restriction,
/// restriction_lifted), `occurredAt`, `channel`, and optionally `expressedBy`, `agentId`,
/// `noticeVersion`, `expiresAt`, `evidence`. Lines that do not fit the policy (unknown purpose,
/// consent for a purpose that is not consent-based...) go to the rejects file with their line
/// number; the rest are imported. An event identical to one already recorded is skipped, so
/// a re-run adds nothing twice. Migrated events have no receipt: `evidence` refers to the
/// legacy proof.
///
/// Imported events go the way of live ones: each is audited (`consent.imported`), an event
/// that becomes the customer's current state is announced to modules, and consent given by
/// a customer below the purpose's guardian age (or of unknown age) without a guardian is
/// refused (Art. 8).
public struct ConsentImporter: Sendable {
    public let journal: ChangeJournal
    public let store: EncryptedCustomerStore
    public let policy: Policy
    var database: AppDatabase { store.database }
    /// "Now" for the future-date check (tests move it).
    var now: @Sendable () -> Date = { Date() }
    /// Clocks of the legacy system may run a little ahead; more than this is refused.
    static let allowedClockSkew: TimeInterval = 300

    public init(journal: ChangeJournal, store: EncryptedCustomerStore, policy: Policy) {
        self.journal = journal
        self.store = store
        self.policy = policy
    }

    public struct Report: Sendable, Equatable {
        public var read = 0
        public var imported = 0
        public var alreadyPresent = 0
        public var rejected = 0
        public var rejectsPath: String?
    }

    struct Line: Decodable, Sendable {
        var customerId: String?
        var externalId: String?
        var purpose: String?
        var kind: ConsentEvent.Kind
        var occurredAt: String
        var channel: ConsentEvent.Channel
        var expressedBy: ConsentEvent.ExpressedBy?
        var agentId: String?
        var noticeVersion: String?
        var expiresAt: String?
        var evidence: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case customerId, externalId, purpose, kind, occurredAt, channel, expressedBy, agentId, noticeVersion, expiresAt, evidence
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            customerId = try c.decodeIfPresent(String.self, forKey: .customerId)
            externalId = try c.decodeIfPresent(String.self, forKey: .externalId)
            purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
            kind = try c.decode(ConsentEvent.Kind.self, forKey: .kind)
            occurredAt = try c.decode(String.self, forKey: .occurredAt)
            channel = try c.decode(ConsentEvent.Channel.self, forKey: .channel)
            expressedBy = try c.decodeIfPresent(ConsentEvent.ExpressedBy.self, forKey: .expressedBy)
            agentId = try c.decodeIfPresent(String.self, forKey: .agentId)
            noticeVersion = try c.decodeIfPresent(String.self, forKey: .noticeVersion)
            expiresAt = try c.decodeIfPresent(String.self, forKey: .expiresAt)
            evidence = try c.decodeIfPresent(String.self, forKey: .evidence)
        }
    }

    /// - Parameter progress: called after each batch with the bytes read and the file's size.
    public func run(
        path: String, rejectsPath: String? = nil, batchSize: Int = 1000, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> Report {
        let reader = try LineReader(path: path)
        let rejects = RejectsWriter(path: rejectsPath ?? path + ".rejects.jsonl")
        var report = Report()
        var batch: [(line: Int, parsed: Line)] = []
        while let text = reader.next() {
            guard !text.allSatisfy(\.isWhitespace) else { continue }
            report.read += 1
            do {
                let parsed = try JSONDecoder().decode(Line.self, from: Data(text.utf8))
                let issues = validate(parsed)
                if issues.isEmpty { batch.append((reader.lineNumber, parsed)) } else {
                    report.rejected += 1
                    try rejects.write(.init(line: reader.lineNumber, externalId: parsed.externalId, issues: issues))
                }
            } catch let error as DecodingError {
                report.rejected += 1
                try rejects.write(.init(line: reader.lineNumber, externalId: nil, issues: ValidationError(decoding: error).issues))
            }
            if batch.count >= batchSize {
                try await commit(&batch, report: &report, rejects: rejects)
                progress(reader.bytesRead, reader.totalBytes)
            }
        }
        try await commit(&batch, report: &report, rejects: rejects)
        progress(reader.bytesRead, reader.totalBytes)
        report.rejectsPath = try rejects.finish()
        return report
    }

    /// Policy and format checks that need no database.
    func validate(_ line: Line) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if (line.customerId == nil) == (line.externalId == nil) {
            issues.append(ValidationIssue(path: "externalId", code: "required", message: "name the customer by exactly one of externalId or customerId"))
        }
        if let occurred = ISO8601DateFormatter().date(from: line.occurredAt) {
            // A consent dated in the future would outrank every real change until that date:
            // a withdrawal recorded today would leave the state `given` (Art. 7(3)).
            if occurred > now().addingTimeInterval(Self.allowedClockSkew) {
                issues.append(ValidationIssue(path: "occurredAt", code: "in_future", message: "must not be later than now (5 minutes of clock skew are allowed)"))
            }
        } else {
            issues.append(ValidationIssue(path: "occurredAt", code: "invalid_timestamp", message: "must be an ISO 8601 UTC time such as 2025-03-01T09:30:00Z"))
        }
        if let expires = line.expiresAt, ISO8601DateFormatter().date(from: expires) == nil {
            issues.append(ValidationIssue(path: "expiresAt", code: "invalid_timestamp", message: "must be an ISO 8601 UTC time"))
        }
        let restriction = line.kind == .restriction || line.kind == .restrictionLifted
        if restriction {
            if line.purpose != nil { issues.append(ValidationIssue(path: "purpose", code: "not_allowed", message: "a restriction covers every purpose; leave purpose out")) }
        } else if let id = line.purpose {
            if let purpose = policy.purposes[id] {
                let consentKind = [.given, .refused, .withdrawn].contains(line.kind)
                if consentKind && purpose.legalBasis != .consent {
                    issues.append(ValidationIssue(path: "kind", code: "not_consent_based", message: "this purpose does not rest on consent"))
                }
                if !consentKind && !purpose.legalBasis.allowsObjection {
                    issues.append(ValidationIssue(path: "kind", code: "objection_not_applicable", message: "this purpose's legal basis allows no objection"))
                }
            } else {
                issues.append(ValidationIssue(path: "purpose", code: "unknown_purpose", message: "must be a purpose id of the policy"))
            }
        } else {
            issues.append(ValidationIssue(path: "purpose", code: "required", message: "consent and objection events name their purpose"))
        }
        if line.expressedBy == .agent && line.agentId == nil {
            issues.append(ValidationIssue(path: "agentId", code: "required", message: "an event expressed through an agent names the agent"))
        }
        return issues
    }

    private func commit(_ batch: inout [(line: Int, parsed: Line)], report: inout Report, rejects: RejectsWriter) async throws {
        guard !batch.isEmpty else { return }
        let items = batch
        batch.removeAll(keepingCapacity: true)
        let formatter = ISO8601DateFormatter()
        // 1. Whom each line names, and which events are stored already.
        let (ids, present) = try await database.read { db -> ([Int: String], Set<Int>) in
            let known = try db.customerIDs(forExternalIDs: items.compactMap(\.parsed.externalId))
            var ids: [Int: String] = [:]
            var present = Set<Int>()
            for (line, parsed) in items {
                guard let id = parsed.customerId ?? parsed.externalId.flatMap({ known[$0] }),
                    try db.fetchValue(Int.self, "SELECT 1 FROM customer WHERE id = ? AND erased_at IS NULL", [id]) != nil
                else { continue }
                ids[line] = id
                if try db.hasConsentEvent(customerID: id, purpose: parsed.purpose, kind: parsed.kind, at: ISO8601DateFormatter().date(from: parsed.occurredAt)!) {
                    present.insert(line)
                }
            }
            return (ids, present)
        }
        // 2. Art. 8: consent a minor gave alone is no consent. Ages need the decrypted birth date.
        var ages: [String: Int?] = [:]
        var refused: [(line: Int, externalId: String?, issue: ValidationIssue)] = []
        var events: [ConsentEvent] = []
        var audit: [AuditEvent] = []
        for (line, parsed) in items {
            guard let id = ids[line] else {
                refused.append((line, parsed.externalId, ValidationIssue(
                    path: parsed.externalId == nil ? "customerId" : "externalId", code: "unknown_customer", message: "no stored customer has this reference")))
                continue
            }
            if present.contains(line) {
                report.alreadyPresent += 1
                continue
            }
            let event = ConsentEvent(
                customerID: id, purpose: parsed.purpose, kind: parsed.kind, occurredAt: formatter.date(from: parsed.occurredAt)!,
                channel: parsed.channel, expressedBy: parsed.expressedBy ?? .customer, actorID: parsed.agentId,
                noticeVersion: parsed.noticeVersion, expiresAt: parsed.expiresAt.flatMap(formatter.date(from:)), evidence: parsed.evidence)
            if event.kind == .given, event.expressedBy != .guardian, let settings = event.purpose.flatMap({ policy.purposes[$0]?.consent }) {
                if ages[id] == nil { ages[id] = try await age(of: id, at: event.occurredAt) }
                if let age = ages[id] ?? nil, age < settings.guardianRequiredUnderAge {
                    refused.append((line, parsed.externalId, ValidationIssue(
                        path: "expressedBy", code: "guardian_required",
                        message: "below \(settings.guardianRequiredUnderAge), consent for this purpose must come from a guardian (GDPR Art. 8)")))
                    continue
                }
            }
            events.append(event)
            audit.append(AuditEvent(
                actor: AuditActor(.system, "consents-import"), action: .consentImported, customerID: id, purpose: event.purpose,
                fields: ["kind:\(event.kind.rawValue)", "channel:\(event.channel.rawValue)", "expressedBy:\(event.expressedBy.rawValue)"],
                outcome: "succeeded", policyVersion: policy.version, requestID: "import"))
        }
        // 3. History, audit entries and announcements in one transaction.
        let recorded = try await journal.recordImported(events, audit: audit, correlationID: nil)
        report.imported += recorded
        report.alreadyPresent += events.count - recorded
        report.rejected += refused.count
        for (line, externalId, issue) in refused.sorted(by: { $0.line < $1.line }) {
            try rejects.write(.init(line: line, externalId: externalId, issues: [issue]))
        }
    }

    /// The customer's age on `date`: `-1` for a person whose birth date is unknown (treated
    /// as a minor, as live consent is), `nil` for an organization (no age applies).
    private func age(of customerID: String, at date: Date) async throws -> Int? {
        guard let customer = try await store.customer(id: customerID) else { return nil }
        guard case .individual = customer.profile.engagedParty else { return nil }
        return customer.profile.age(at: date) ?? -1
    }
}
