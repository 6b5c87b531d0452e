import ConsentryCore
import ConsentryStore
import Prometheus

/// Everything the HTTP layer needs, built once by the caller (the CLI or a test) and passed
/// in: no singletons.
public struct ConsentryServices: Sendable {
    public let database: AppDatabase
    public let keys: KeyProvider
    public let customers: EncryptedCustomerStore
    public let metrics: PrometheusCollectorRegistry

    public init(database: AppDatabase, keys: KeyProvider, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.database = database
        self.keys = keys
        self.customers = EncryptedCustomerStore(database: database, keys: keys)
        self.metrics = metrics
    }
}
