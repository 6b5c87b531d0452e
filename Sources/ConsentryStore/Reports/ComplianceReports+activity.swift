import ConsentryCore
import ConsentryStorage
import Foundation

extension ComplianceReports {
    /// One day's count of consent events of one kind for one purpose.
    public struct ConsentActivity: Sendable, Equatable {
        public var purpose: String
        public var kind: ConsentEvent.Kind
        /// `2026-12-02` (UTC).
        public var day: String
        public var count: Int
    }

    /// Consents given and withdrawn, per purpose and day: the console's chart of consent over
    /// time. Counted by the engine (a row per purpose, kind and day), not read event by event.
    public func consentActivity() async throws -> [ConsentActivity] {
        try await database.read { db in
            try db.fetchAll(
                """
                SELECT purpose, kind, substr(occurred_at, 1, 10) AS day, COUNT(*) AS n FROM consent_event
                WHERE purpose IS NOT NULL AND kind IN ('given', 'withdrawn')
                GROUP BY purpose, kind, substr(occurred_at, 1, 10) ORDER BY day
                """, []
            ).compactMap { row in
                guard let kind = ConsentEvent.Kind(rawValue: row["kind"]) else { return nil }
                let count: Int64 = row["n"]
                return ConsentActivity(purpose: row["purpose"], kind: kind, day: row["day"], count: Int(count))
            }
        }
    }
}
