public import ConsentryCore
public import Foundation

/// Which consents a consent report or export covers.
public struct ConsentReportFilter: Sendable, Equatable {
    public var purpose: String?
    public var status: ConsentStatus?
    public var channel: ConsentEvent.Channel?
    public var from: Date?
    public var to: Date?

    public init(purpose: String? = nil, status: ConsentStatus? = nil, channel: ConsentEvent.Channel? = nil, from: Date? = nil, to: Date? = nil) {
        self.purpose = purpose
        self.status = status
        self.channel = channel
        self.from = from
        self.to = to
    }
}
