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
    static var activeKEKVersion: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", metricName: "kek_active_version", unitName: "", helpText: "Active key-encryption key version")
    }
    static var pendingRewrap: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", metricName: "wrapped_keys_pending_rewrap", unitName: "",
            helpText: "Wrapped keys on a KEK version older than the active one")
    }
    static var decisions: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", metricName: "decisions", unitName: "total",
            helpText: "Guarded-API decisions by module, purpose and outcome (permitted, partial, denied, refused)")
    }
    static var policyReloadFailures: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", metricName: "policy_reload_failures", unitName: "total",
            helpText: "Policy reloads that failed and left the previous policy in force")
    }
    static var eventDeliveries: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "consentry", subsystem: "event", metricName: "delivery_attempts", unitName: "total",
            helpText: "Event delivery attempts by outcome (delivered, retry, dead)")
    }
}
