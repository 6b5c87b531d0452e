/// An internal application (a TM Forum TAM application type) and what it may do.
public struct ModuleProfile: Sendable, Equatable {
    public var id: String
    /// The TAM application type, e.g. "Billing Account Management".
    public var applicationType: String
    public var description: String
    public var purposes: Set<String>
    public var operations: Operations
    /// The hosts the module's event callbacks may name (`callbackHosts`); none: it cannot subscribe.
    public var callbackHosts: [CallbackHostPattern]

    public struct Operations: Sendable, Equatable {
        /// Get customers by id and list them.
        public var read: Bool
        /// Exact search by email, phone or national id.
        public var search: Bool
        /// Stream the customers a purpose may currently be used for.
        public var audience: Bool
        /// Onboard new customers.
        public var create: Bool
        /// Data categories the module may correct.
        public var update: Set<String>
        /// Record consent captured for a customer (an agent in the call centre or a shop),
        /// through TMF644 privacy agreements.
        public var recordConsent: Bool

        public init(read: Bool = false, search: Bool = false, audience: Bool = false, create: Bool = false, update: Set<String> = [], recordConsent: Bool = false) {
            self.read = read
            self.search = search
            self.audience = audience
            self.create = create
            self.update = update
            self.recordConsent = recordConsent
        }

        public func allows(_ operation: ModuleOperation) -> Bool {
            switch operation {
            case .read: read
            case .search: search
            case .audience: audience
            case .create: create
            case .update: !update.isEmpty
            case .recordConsent: recordConsent
            }
        }
    }

    public init(
        id: String, applicationType: String, description: String, purposes: Set<String>, operations: Operations, callbackHosts: [CallbackHostPattern] = []
    ) {
        self.callbackHosts = callbackHosts
        self.id = id
        self.applicationType = applicationType
        self.description = description
        self.purposes = purposes
        self.operations = operations
    }
}

/// What a module asks to do with customer data.
public enum ModuleOperation: String, Sendable, CaseIterable, Codable {
    case read, search, audience, create, update, recordConsent
}
