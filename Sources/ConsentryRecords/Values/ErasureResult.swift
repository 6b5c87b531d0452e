/// What an erasure did.
public struct ErasureResult: Sendable, Equatable {
    public var tombstone: ErasureTombstone
    /// `false` when the customer had already been erased (the earlier erasure stands).
    public var erasedNow: Bool

    public init(tombstone: ErasureTombstone, erasedNow: Bool) {
        self.tombstone = tombstone
        self.erasedNow = erasedNow
    }
}
