import Foundation

extension ReportDocument {
    /// The record of processing activities (GDPR Art. 30(1)), generated from the policy: the
    /// controller and its DPO, the categories of data subjects, each purpose with its legal
    /// basis, categories, recipients (the modules allowed it) and retention, the data
    /// categories, the modules, transfers to third countries, and the jurisdictions served.
    public static func recordOfProcessing(policy: Policy, generatedAt: Date) -> ReportDocument {
        let purposes = policy.purposes.values.sorted { $0.id < $1.id }
        let modules = policy.modules.values.sorted { $0.id < $1.id }
        return ReportDocument(
            kind: "record-of-processing", title: "Record of processing activities (GDPR Art. 30)", generatedAt: generatedAt,
            sections: [
                Section(title: "Controller (Art. 30(1)(a))", content: .facts([
                    ("Controller", policy.controller.name), ("Address", policy.controller.address), ("Email", policy.controller.email),
                    ("Phone", policy.controller.phone), ("Data protection officer", "\(policy.controller.dpo.name) <\(policy.controller.dpo.email)>"),
                    ("Privacy notice", policy.controller.policyURL),
                ])),
                Section(title: "Categories of data subjects (Art. 30(1)(c))", content: .table(
                    columns: ["category"], rows: policy.controller.dataSubjectCategories.map { [$0] })),
                Section(title: "Policy", content: .facts([
                    ("Policy version", policy.version), ("Purposes", String(purposes.count)), ("Data categories", String(policy.categories.count)),
                    ("Modules (recipients)", String(modules.count)),
                    ("Security measures", "Each personal field encrypted with AES-256-GCM under a per-customer key wrapped by a versioned KEK; blind indexes for search; purpose checked and audited on every read; hash-chained audit trail with signed checkpoints (see SECURITY.md)."),
                ])),
                Section(
                    title: "Processing purposes",
                    content: .table(
                        columns: ["purpose", "name", "legal basis", "article", "DPV purpose", "categories (plain)", "categories (masked)", "recipients", "retention", "automated decision (Art. 22)"],
                        rows: purposes.map { purpose in
                            [
                                purpose.id, purpose.name.text(for: "en"), purpose.legalBasis.rawValue, purpose.legalBasis.article, purpose.dpvPurpose,
                                purpose.categories.filter { $0.value == .plain }.keys.sorted().joined(separator: " "),
                                purpose.categories.filter { $0.value == .masked }.keys.sorted().joined(separator: " "),
                                modules.filter { $0.purposes.contains(purpose.id) }.map(\.id).joined(separator: " "),
                                "\(purpose.retention.period) after \(purpose.retention.from.rawValue)",
                                purpose.automatedDecision?.logic.text(for: "en") ?? "no",
                            ]
                        })),
                Section(
                    title: "Categories of personal data",
                    content: .table(
                        columns: ["category", "description", "fields", "used by"],
                        rows: policy.categories.keys.sorted().map { category in
                            [
                                category, policy.categories[category]?.description ?? "",
                                PolicyField.allCases.filter { policy.category(of: $0) == category }.map(\.rawValue).joined(separator: " "),
                                purposes.filter { $0.categories[category] != nil }.map(\.id).joined(separator: " "),
                            ]
                        })),
                Section(
                    title: "Transfers to third countries (Art. 30(1)(e))",
                    note: policy.controller.transfers.isEmpty ? "No transfers outside the EEA are declared." : nil,
                    content: .table(
                        columns: ["recipient", "country", "safeguard"],
                        rows: policy.controller.transfers.map { [$0.recipient, $0.country, $0.safeguard] })),
                Section(
                    title: "Jurisdictions served",
                    content: .table(
                        columns: ["jurisdiction", "law", "regions", "authority", "rights and deadlines", "opt-outs", "breach notification"],
                        rows: policy.jurisdictions.values.sorted { $0.id < $1.id }.map { j in
                            [
                                j.id + (j.id == policy.defaultJurisdiction ? " (default)" : ""), j.law, j.regions.joined(separator: " "), j.supervisoryAuthority,
                                j.rights.keys.sorted { $0.rawValue < $1.rawValue }.map { type in
                                    "\(type.rawValue) \(j.rights[type]!.period)" + (j.rights[type]!.extensionLimit.map { "+\($0)" } ?? "")
                                }.joined(separator: ", "),
                                j.optOuts.keys.sorted().map { "\($0.rawValue): \(j.optOuts[$0]!.purposes.sorted().joined(separator: " "))" + (j.optOuts[$0]!.honoursGPC ? " (GPC)" : "") }
                                    .joined(separator: "; "),
                                j.breachNotification?.description ?? "without undue delay",
                            ]
                        })),
                Section(
                    title: "Recipients (internal modules)",
                    content: .table(
                        columns: ["module", "application type", "purposes"],
                        rows: modules.map { [$0.id, $0.applicationType, $0.purposes.sorted().joined(separator: " ")] })),
            ])
    }
}
