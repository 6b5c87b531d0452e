public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// Data portability (GDPR Art. 20): a customer's data as JSON (the import format, so another
/// provider can load it, with the consent history) or CSV (field, category, value). One
/// implementation for the JSON API and the privacy center; every export is audited.
public struct DataPortability: Sendable {
    let policies: PolicyRegistry
    let consents: any ConsentRecords
    let audit: any AuditTrail

    public enum Format: String, Sendable, CaseIterable {
        case json, csv
    }

    /// An export, ready to send as a download.
    public struct Document: Sendable {
        public var bytes: [UInt8]
        public var contentType: String
        public var filename: String
    }

    public init(policies: PolicyRegistry, consents: any ConsentRecords, audit: any AuditTrail) {
        self.policies = policies
        self.consents = consents
        self.audit = audit
    }

    /// `customer`'s data in `format`, after its audit entry is durable.
    public func export(_ customer: Customer, format: Format, requestID: String) async throws -> Document {
        let policy = policies.policy
        try await audit.record(AuditEvent(
            actor: AuditActor(.customer, customer.id), action: .selfExport, customerID: customer.id, fields: ["format:\(format.rawValue)"],
            outcome: "succeeded", policyVersion: policy.version, requestID: requestID))
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let profile = try JSONValue.parse(Array(try encoder.encode(customer)))
            let history = try await consents.history(customerID: customer.id)
            let events = JSONValue.array(history.map { event in
                var members: [(String, JSONValue)] = [
                    ("kind", .string(event.kind.rawValue)), ("occurredAt", .string(ISOTimestamp.format(event.occurredAt))),
                    ("channel", .string(event.channel.rawValue)), ("expressedBy", .string(event.expressedBy.rawValue)),
                ]
                if let purpose = event.purpose { members.insert(("purpose", .string(purpose)), at: 0) }
                if let notice = event.noticeVersion { members.append(("noticeVersion", .string(notice))) }
                return .object(members)
            })
            return Document(
                bytes: JSONValue.object([("customer", profile), ("consentHistory", events)]).bytes, contentType: "application/json",
                filename: "my-data.json")
        case .csv:
            var lines = ["field,category,value"]
            for field in PersonalFieldCodec.encode(customer.profile) {
                let category = PolicyField.of(storedPath: field.path, in: customer.profile).map { policy.category(of: $0) } ?? ""
                lines.append([field.path.rawValue, category, String(decoding: field.value, as: UTF8.self)].map(ReportDocument.csvQuoted).joined(separator: ","))
            }
            return Document(bytes: Array((lines.joined(separator: "\r\n") + "\r\n").utf8), contentType: "text/csv; charset=utf-8", filename: "my-data.csv")
        }
    }
}
