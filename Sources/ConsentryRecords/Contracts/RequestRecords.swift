public import ConsentryCore
public import Foundation

/// Data-subject requests as filed and handled (filing and moves go through
/// `PrivacyChangeJournal`).
public protocol RequestRecords: Sendable {
    func request(id: String) async throws -> DataSubjectRequest?

    /// Completes the erasure request waiting on `eventID` once every module told of it has
    /// acknowledged. - Returns: the request, if this completed it.
    func completeIfAcknowledged(eventID: String, at now: Date) async throws -> DataSubjectRequest?
}
