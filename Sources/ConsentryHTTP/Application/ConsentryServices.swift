import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Prometheus

/// Everything the HTTP layer needs, built once by the caller (the CLI or a test) and passed
/// in: no singletons.
public struct ConsentryServices: Sendable {
    public let database: AppDatabase
    public let keys: KeyProvider
    public let customers: EncryptedCustomerStore
    public let reader: GuardedCustomerReader
    public let policies: PolicyRegistry
    public let apiKeys: ApiKeyStore
    public let audit: AuditLog
    /// The audit trail as a Merkle tree with signed heads: what customers check their proofs against.
    public let transparency: TransparencyLog
    public let consents: ConsentLedger
    public let requests: DataSubjectRequestStore
    /// Consents, objections, restrictions, rectifications and requests, each committed with
    /// its audit entries and outbox events.
    public let journal: ChangeJournal
    /// Subscriptions, deliveries and acknowledgements.
    public let events: EventHub
    public let metrics: PrometheusCollectorRegistry
    /// Customer sign-in; `nil` when no identity provider is configured (then /self answers 401).
    public let customerTokens: CustomerTokenVerifier?
    public let receipts: ReceiptSigner
    public let delivery: DeliverySettings
    /// Cryptographic erasure, recorded in the installation's erasure ledger.
    public let eraser: CustomerEraser
    /// How often `serve` runs the retention sweep; `nil`: never (run `consentry retention`).
    public let retentionInterval: Duration?

    // The use cases the adapters call.
    public let gate: PurposeGate
    public let reads: GuardedReads
    public let privacyProfiles: PrivacyProfiles
    public let maintenance: CustomerMaintenance
    public let consentChange: ConsentChange
    public let requestFiling: RequestFiling
    public let selfManagement: SelfManagement
    public let optOuts: OptOutRights
    public let breaches: BreachRegister
    public let guardianship: Guardianship
    public let portability: DataPortability
    public let workflow: RequestWorkflow
    public let reports: ComplianceReports
    public let reporting: ComplianceReporting
    public let subscriptions: EventSubscriptions

    public init(
        database: AppDatabase, keys: KeyProvider, policies: PolicyRegistry, apiKeys: ApiKeyStore? = nil,
        customerTokens: CustomerTokenVerifier? = nil, receipts: ReceiptSigner, delivery: DeliverySettings = DeliverySettings(),
        erasureLedger: ErasureLedger, retentionInterval: Duration? = nil, fourEyes: Bool = false,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.database = database
        self.keys = keys
        let audit = AuditLog(database: database, keys: keys)
        self.audit = audit
        self.transparency = TransparencyLog(database: database, keys: keys)
        let customers = EncryptedCustomerStore(database: database, keys: keys)
        self.customers = customers
        let reader = GuardedCustomerReader(database: database, keys: keys)
        self.reader = reader
        self.policies = policies
        self.apiKeys = apiKeys ?? ApiKeyStore(database: database)
        let consents = ConsentLedger(database: database)
        self.consents = consents
        let requests = DataSubjectRequestStore(database: database)
        self.requests = requests
        let journal = ChangeJournal(audit: audit, outbox: EventOutbox(database: database), policy: { policies.policy })
        self.journal = journal
        let events = EventHub(database: database)
        self.events = events
        self.metrics = metrics
        self.customerTokens = customerTokens
        self.receipts = receipts
        self.delivery = delivery
        let eraser = CustomerEraser(database: database, keys: keys, journal: journal, ledger: erasureLedger)
        self.eraser = eraser
        self.retentionInterval = retentionInterval
        self.gate = PurposeGate(policies: policies, audit: audit, counter: PrometheusDecisionCounter(registry: metrics))
        self.reads = GuardedReads(reader: reader)
        self.privacyProfiles = PrivacyProfiles(reader: reader, consents: consents)
        let corrections = CustomerCorrector(customers: customers, journal: journal)
        self.maintenance = CustomerMaintenance(customers: customers, consents: consents, corrections: corrections)
        self.consentChange = ConsentChange(policies: policies, receipts: receipts, journal: journal)
        self.requestFiling = RequestFiling(policies: policies, consents: consents, customers: customers, journal: journal)
        self.optOuts = OptOutRights(policies: policies, consents: consents, receipts: receipts, journal: journal)
        self.breaches = BreachRegister(store: BreachStore(database: database, customers: customers), audit: audit, policies: policies)
        self.selfManagement = SelfManagement(policies: policies, consents: consents, journal: journal, corrections: corrections, audit: audit)
        self.guardianship = Guardianship(policies: policies, customers: customers, audit: audit)
        self.portability = DataPortability(policies: policies, consents: consents, audit: audit)
        let reports = ComplianceReports(database: database, customers: customers)
        self.reports = reports
        self.subscriptions = EventSubscriptions(
            hub: events, requests: requests, audit: audit, policies: policies, keys: keys, maxPerModule: delivery.maxSubscriptionsPerModule)
        self.reporting = ComplianceReporting(reports: reports, audit: audit, policies: policies)
        self.workflow = RequestWorkflow(
            requests: requests, journal: journal, eraser: eraser, events: events, policies: policies, fourEyes: fourEyes)
    }
}
