// consentry-bench: figures for the foundation (see Benchmarks/README.md).
//
//   consentry-bench import N [--batch B] [--csv] [--file F]
//                                          generate N synthetic customers (JSON Lines, or CSV), import them,
//                                          print rate and peak memory; --file imports an existing file instead
//   consentry-bench json FILE              JSON decoding cost per line (JSONSerialization vs the Codable path)
//   consentry-bench crypto [SECONDS]       field seal/open per second (64-byte values) with the DEK path
//   consentry-bench fixtures DIR [N]       (re)write the synthetic fixtures used by the demo and tests
//   consentry-bench compliance [N]         access report at 10k audit entries, erasure of one customer,
//                                          consent CSV export of N customers (default 1,000,000): times and peak memory
//   consentry-bench jurisdictions [SECONDS] the cost of jurisdictions to a decision (GDPR, Californian, no region) against
//                                          the GDPR-only policy, and of running the policy's tests on load
//   consentry-bench transparency [N]       the transparency log: cost per audit entry, head signing, proof time and
//                                          size in a log of N entries (default 10,000,000)
import ConsentryCore
import ConsentryCrypto
import ConsentryStore
import ConsentryTesting
import Foundation

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
}

func now() -> Double { Date().timeIntervalSince1970 }

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "import":
    let count = Int(arguments.dropFirst().first ?? "100000") ?? 100_000
    let batch = arguments.firstIndex(of: "--batch").flatMap { Int(arguments[$0 + 1]) } ?? 5000
    let installation = try await TestInstallation.make()
    let generated = arguments.firstIndex(of: "--file").map { arguments[$0 + 1] }
    let csv = arguments.contains("--csv")
    let path = generated ?? installation.directory.file(csv ? "bench.csv" : "bench.jsonl")
    let generateStart = now()
    if generated == nil {
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = FileHandle(forWritingAtPath: path)!
    let generator = SyntheticCustomers()
    var buffer = Data()
    for index in 0..<count {
        var draft = generator.draft(index)
        draft.profile.relatedParty = []  // guardian lookups are quadratic in the generator, not in the importer
        if csv {
            if index == 0 { buffer.append(Data((SyntheticCustomers.csvHeader + "\n").utf8)) }
            buffer.append(Data((SyntheticCustomers.csvLine(draft) + "\n").utf8))
        } else {
            buffer.append(try SyntheticCustomers.jsonLine(draft))
        }
        if buffer.count > 1 << 20 { try handle.write(contentsOf: buffer); buffer.removeAll(keepingCapacity: true) }
    }
    try handle.write(contentsOf: buffer)
    try handle.close()
    }
    let fileSize = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    print(String(format: "generated %d customers (%.1f MB %@) in %.1f s; peak RSS so far %.1f MB",
                 count, Double(fileSize) / 1e6, csv ? "CSV" : "JSON Lines", now() - generateStart, peakRSSMegabytes()))
    let rssBefore = peakRSSMegabytes()
    let importer = CustomerImporter(store: installation.store, batchSize: batch)
    let start = now()
    let report = try await importer.run(path: path)
    let elapsed = now() - start
    let dbSize = (try FileManager.default.attributesOfItem(atPath: installation.dataDirectory.databasePath)[.size] as? Int) ?? 0
    print(String(format: "imported %d customers in %.2f s: %.0f customers/s (batch %d, %d cores)",
                 report.imported, elapsed, Double(report.imported) / elapsed, batch, ProcessInfo.processInfo.activeProcessorCount))
    print(String(format: "peak RSS %.1f MB (%.1f MB before the import); database %.1f MB; rejected %d",
                 peakRSSMegabytes(), rssBefore, Double(dbSize) / 1e6, report.rejected))
case "crypto":
    let seconds = Double(arguments.dropFirst().first ?? "3") ?? 3
    let key = try DataKey.generate()
    let value = [UInt8](repeating: 0x61, count: 64)
    var sealed: [UInt8] = []
    var n = 0
    var start = now()
    while now() - start < seconds {
        for _ in 0..<1000 { sealed = try key.seal(value, owner: "4f1c2a9e-0000-4000-8000-000000000001", field: "contactMedium.1") }
        n += 1000
    }
    let sealRate = Double(n) / (now() - start)
    n = 0
    start = now()
    while now() - start < seconds {
        for _ in 0..<1000 { _ = try key.open(sealed, owner: "4f1c2a9e-0000-4000-8000-000000000001", field: "contactMedium.1") }
        n += 1000
    }
    let openRate = Double(n) / (now() - start)
    let indexer = try BlindIndexer(root: SecureBytes(randomCount: 32), fields: ["email"], bits: 24)
    n = 0
    start = now()
    while now() - start < seconds {
        for _ in 0..<1000 { _ = try indexer.digest(field: "email", normalizedValue: "zoe.lefevre.1@example.com") }
        n += 1000
    }
    let indexRate = Double(n) / (now() - start)
    let sealer = try key.sealer()
    n = 0
    start = now()
    while now() - start < seconds {
        for _ in 0..<1000 { _ = try DataKey.seal(value, owner: "4f1c2a9e-0000-4000-8000-000000000001", field: "contactMedium.1", with: sealer) }
        n += 1000
    }
    let sealerRate = Double(n) / (now() - start)
    print(String(format: "field seal (64 B, AES-256-GCM + envelope): %.0f /s (%.2f µs each), fresh key schedule per value", sealRate, 1e6 / sealRate))
    print(String(format: "field seal, one key schedule per customer:  %.0f /s (%.2f µs each), the import path", sealerRate, 1e6 / sealerRate))
    print(String(format: "field open (64 B):                        %.0f /s (%.2f µs each)", openRate, 1e6 / openRate))
    print(String(format: "blind index digest (HMAC-SHA256, 24 bit): %.0f /s", indexRate))
case "compliance":
    try await ComplianceBenchmark.run(customers: Int(arguments.dropFirst().first ?? "1000000") ?? 1_000_000)
case "transparency":
    try await TransparencyBenchmark.run(leaves: Int(arguments.dropFirst().first ?? "10000000") ?? 10_000_000)
case "jurisdictions":
    try JurisdictionBenchmark.run(seconds: Double(arguments.dropFirst().first ?? "2") ?? 2)
case "fixtures":
    let directory = arguments.dropFirst().first ?? "Fixtures"
    let count = Int(arguments.dropFirst(2).first ?? "240") ?? 240
    let generator = SyntheticCustomers()
    var data = Data()
    for index in 0..<count { data.append(try SyntheticCustomers.jsonLine(generator.draft(index))) }
    try data.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("customers.jsonl")))
    print("wrote \(count) customers to \(directory)/customers.jsonl")
case "json":
    let text = try String(contentsOfFile: arguments[1], encoding: .utf8)
    let lines = text.split(separator: "\n").map { Data($0.utf8) }
    var start = now()
    for line in lines { _ = try JSONSerialization.jsonObject(with: line) }
    print(String(format: "JSONSerialization: %.1f µs/line", (now() - start) / Double(lines.count) * 1e6))
    start = now()
    let decoder = JSONDecoder()
    for line in lines { _ = try decoder.decode(CustomerDraft.self, from: line) }
    print(String(format: "JSONDecoder CustomerDraft: %.1f µs/line", (now() - start) / Double(lines.count) * 1e6))
default:
    print("usage: consentry-bench import N [--batch B] [--csv] [--file F] | crypto [SECONDS] | json FILE | fixtures DIR [N] | compliance [N]")
}
