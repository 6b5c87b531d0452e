import Prometheus

/// The names of every metric Consentry exports, in one place. Computed, because the
/// descriptor type is not `Sendable`.
enum MetricNames {
    static var httpRequests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests by method, route pattern and status")
    }
    static var httpDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "HTTP request duration by method and route pattern")
    }
    static var customers: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", metricName: "customers", unitName: "", helpText: "Customers stored")
    }
    static var activeKEKVersion: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", metricName: "kek_active_version", unitName: "", helpText: "Active key-encryption key version")
    }
    static var pendingRewrap: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", metricName: "wrapped_keys_pending_rewrap", unitName: "",
            helpText: "Wrapped keys on a KEK version older than the active one")
    }
}
