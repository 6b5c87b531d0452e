import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryRecords
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Compliance reports and audit search over HTTP")
struct ReportsTests {
    /// The rows of the section titled `title` in a JSON report.
    static func rows(_ report: JSONValue, _ title: String) -> [[String]] {
        guard case .array(let sections) = report["sections"], let section = sections.first(where: { $0["title"] == .string(title) }),
            case .array(let rows) = section["rows"]
        else { return [] }
        return rows.map { row in
            guard case .array(let cells) = row else { return [] }
            return cells.compactMap(\.stringValue)
        }
    }

    @Test("the access report lists every module that read the customer, and every report renders as JSON, HTML and CSV")
    func reportsRender() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 12)
        let target = fixture.customers[1]
        try await fixture.withServer { client in
            let readers = [("csr-toolbox", "customer-care"), ("billing-account-management", "billing"), ("customer-order-management", "order-management")]
            for (module, purpose) in readers {
                let read = try await client.execute(uri: "\(GuardedAPIFixture.api)/customer/\(target.id)", method: .get, headers: fixture.headers(module, purpose: purpose))
                #expect(read.status == .ok, "\(module)")
            }
            let officer = fixture.headers("officer", purpose: nil)
            let access = try await client.execute(uri: "/compliance/v1/reports/access/\(target.id)", method: .get, headers: officer)
            #expect(access.status == .ok)
            let report = try access.json()
            #expect(report["report"] == .string("access"))
            let recipients = Self.rows(report, "Recipients")
            #expect(Set(recipients.map { $0[0] }) == Set(readers.map(\.0)), "every module that read the customer")
            #expect(recipients.allSatisfy { $0[3] == "1" })
            #expect(Self.rows(report, "Personal data held").contains { $0[0] == "engagedParty.givenName" })
            #expect(Self.rows(report, "Purposes, legal bases and retention").count == 14)

            for path in ["reports/access/\(target.id)", "reports/record-of-processing", "reports/consents", "reports/requests"] {
                let html = try await client.execute(uri: "/compliance/v1/\(path)?format=html", method: .get, headers: officer)
                #expect(html.status == .ok && html.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                #expect(html.text.hasPrefix("<!DOCTYPE html>") && html.text.hasSuffix("</html>\n") && html.text.contains("<table>"), "\(path)")
                let csv = try await client.execute(uri: "/compliance/v1/\(path)?format=csv", method: .get, headers: officer)
                #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8", "\(path)")
                #expect(csv.text.hasSuffix("\r\n") && csv.text.split(separator: "\r\n").count >= 2, "\(path)")
                let json = try await client.execute(uri: "/compliance/v1/\(path)", method: .get, headers: officer)
                #expect(try json.json()["sections"] != nil, "\(path)")
            }
            let bad = try await client.execute(uri: "/compliance/v1/reports/requests?format=pdf", method: .get, headers: officer)
            #expect(bad.status == .badRequest)

            let ropa = try await client.execute(uri: "/compliance/v1/reports/record-of-processing", method: .get, headers: officer)
            let purposes = Self.rows(try ropa.json(), "Processing purposes")
            #expect(purposes.count == fixture.services.policies.policy.purposes.count)
            #expect(purposes.first { $0[0] == "accounting-and-tax" }?[2] == "legal_obligation")

            // Audit search by module: only that module's entries; the chain verifies.
            let search = try await client.execute(uri: "/compliance/v1/audit?module=billing-account-management&customer=\(target.id)", method: .get, headers: officer)
            guard case .array(let entries) = try search.json() else { Issue.record("not a list"); return }
            #expect(!entries.isEmpty && entries.allSatisfy { $0["actor"] == .string("module:billing-account-management") && $0["customer"] == .string(target.id) })
            let verify = try await client.execute(uri: "/compliance/v1/audit/verify", method: .get, headers: officer)
            #expect(try verify.json()["intact"] == .bool(true))
        }
        // Producing an access report is itself audited, naming the officer.
        let entries = try await AuditReader(database: fixture.installation.database).entries(
            AuditReader.Filter(customerID: target.id, actorKind: .officer), offset: 0, limit: 10)
        #expect(entries.entries.contains { $0.action == "report.access" && $0.actor.id == "dpo" })
    }
}
