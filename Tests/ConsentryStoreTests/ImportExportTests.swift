import ConsentryCore
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing

@Suite("Import and export")
struct ImportExportTests {
    struct Reject: Decodable {
        var line: Int
        var externalId: String?
        var issues: [ValidationIssue]
    }

    func rejects(_ path: String) throws -> [Reject] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONDecoder().decode(Reject.self, from: Data($0.utf8)) }
    }

    @Test("The CSV sample imports its good rows, rejects the bad ones with line numbers, and a re-run adds nothing")
    func csvWithBadRows() async throws {
        let installation = try await TestInstallation.make()
        let rejectsPath = installation.directory.file("legacy.rejects.jsonl")
        let importer = CustomerImporter(store: installation.store, batchSize: 4)
        let first = try await importer.run(path: RepositoryFixtures.path("customers-legacy.csv"), rejectsPath: rejectsPath)
        #expect(first.imported == 5)
        #expect(first.rejected == 7)
        #expect(first.rowsRead == 12)
        let rejected = try rejects(rejectsPath)
        let byLine = Dictionary(uniqueKeysWithValues: rejected.map { ($0.line, $0) })
        #expect(byLine.keys.sorted() == [7, 8, 9, 10, 11, 12, 13])
        #expect(byLine[7]?.issues.map(\.code) == ["invalid_email"])
        #expect(byLine[7]?.externalId == "CSV-0005")
        #expect(byLine[7]?.issues.first?.path == "contactMedium[0].characteristic.emailAddress")
        #expect(byLine[8]?.issues.map(\.code) == ["invalid_phone"])
        #expect(Set(byLine[9]?.issues.map(\.code) ?? []) == ["invalid_date", "invalid_country"])
        #expect(byLine[10]?.issues.map(\.path) == ["engagedParty.givenName", "engagedParty.familyName"])
        #expect(byLine[11]?.issues.map(\.code) == ["column_count"])
        #expect(byLine[12]?.issues.map(\.code) == ["invalid_enum"])
        #expect(byLine[13]?.issues.map(\.code) == ["unknown_related_party"])
        let text = try String(contentsOfFile: rejectsPath, encoding: .utf8)
        #expect(!text.contains("not-an-email") && !text.contains("0612345678"), "rejects never echo values")

        // The multi-line quoted address and the guardian reference (CSV-0004 → CSV-0001) survived.
        let minor = try #require(try await installation.store.customers(where: .loginSubject, equals: "idp|csv0004").first)
        let guardian = try #require(try await installation.store.customers(where: .loginSubject, equals: "idp|csv0001").first)
        #expect(minor.profile.relatedParty.first?.id == guardian.id)
        let organization = try #require(try await installation.store.customers(where: .phone, equals: "+35315550003").first)
        #expect(organization.profile.contactMedium.last?.characteristic.street1 == "Unit 4\nHarbour Business Park")

        let second = try await importer.run(path: RepositoryFixtures.path("customers-legacy.csv"), rejectsPath: rejectsPath)
        #expect(second.imported == 0)
        #expect(second.skippedExisting == 5)
        #expect(try await installation.store.count() == 5)
    }

    @Test("JSON Lines: malformed, mistyped and unknown fields are rejected with paths; good lines import; re-run adds nothing")
    func jsonLinesWithBadLines() async throws {
        let installation = try await TestInstallation.make()
        let path = installation.directory.file("mixed.jsonl")
        let good = try SyntheticCustomers.jsonLine(SyntheticCustomers().draft(1))
        let lines: [String] = [
            String(decoding: good, as: UTF8.self).trimmingCharacters(in: .newlines),
            "{not json",
            #"{"externalId":"X-2","engagedParty":{"@type":"Individual","givenName":"A","familyName":"B","birthDate":19900101}}"#,
            #"{"externalId":"X-3","engagedParty":{"@type":"Individual","givenName":"A","familyName":"B","shoeSize":"44"}}"#,
            #"{"externalId":"X-4","engagedParty":{"@type":"Robot","name":"R2"}}"#,
            "",
            #"{"externalId":"X-5","engagedParty":{"@type":"Organization","name":"Aurora Marea AB"},"contactMedium":[{"mediumType":"email","characteristic":{"emailAddress":"ops@example.org"}}]}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let report = try await CustomerImporter(store: installation.store).run(path: path)
        #expect(report.imported == 2)
        #expect(report.rejected == 4)
        let byLine = Dictionary(uniqueKeysWithValues: try rejects(try #require(report.rejectsPath)).map { ($0.line, $0) })
        #expect(byLine[2]?.issues.first?.code == "malformed_json")
        #expect(byLine[3]?.issues.first?.path == "engagedParty.birthDate")
        #expect(byLine[3]?.issues.first?.code == "wrong_type")
        #expect(byLine[4]?.issues.first?.path == "engagedParty.shoeSize")
        #expect(byLine[4]?.issues.first?.code == "unknown_field")
        #expect(byLine[5]?.issues.first?.path == "engagedParty.@type")
        let again = try await CustomerImporter(store: installation.store).run(path: path)
        #expect(again.imported == 0 && again.skippedExisting == 2)
    }

    @Test("Export writes every customer decrypted, records the export, and re-imports elsewhere to the same data")
    func exportRoundTrip() async throws {
        let source = try await TestInstallation.make()
        _ = try await CustomerImporter(store: source.store).run(path: try source.writeSyntheticFile(count: 40))
        let exportPath = source.directory.file("export.jsonl")
        FileManager.default.createFile(atPath: exportPath, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: exportPath))
        var exporter = CustomerExporter(store: source.store)
        exporter.pageSize = 7
        let count = try await exporter.run(destination: exportPath) { try handle.write(contentsOf: $0) }.exported
        try handle.close()
        #expect(count == 40)
        let events = try await source.database.operatorEvents()
        #expect(events.first?.action == "export")
        #expect(events.first?.detail.contains("40 customers") == true)

        let target = try await TestInstallation.make()
        let report = try await CustomerImporter(store: target.store).run(path: exportPath)
        #expect(report.imported == 40 && report.rejected == 0)
        let before = try await source.store.page(after: nil, limit: 100).sorted { $0.externalId! < $1.externalId! }
        let after = try await target.store.page(after: nil, limit: 100).sorted { $0.externalId! < $1.externalId! }
        #expect(before.map(\.profile.engagedParty) == after.map(\.profile.engagedParty))
        #expect(before.map(\.profile.contactMedium) == after.map(\.profile.contactMedium))
    }
}
