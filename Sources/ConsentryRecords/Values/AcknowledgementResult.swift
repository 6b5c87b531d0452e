public import Foundation

/// What came of a module's acknowledgement of an event.
public enum AcknowledgementResult: Sendable, Equatable {
    case recorded(at: Date)
    /// Acknowledged before; the first time stands.
    case alreadyRecorded(at: Date)
    /// No such event was queued for this module.
    case unknownEvent
}
