import Foundation
import ConsentryCore
import Yams

/// Walks the YAML node trees of the policy files, collecting what they define and every
/// problem with its position; `finish` resolves references across files.
struct PolicyDocumentReader: PolicyNodeReading {
    var problems: [PolicyProblem] = []
    private var sectionFiles: [String: String] = [:]
    private var categories: [String: DataCategory] = [:]
    private var fieldCategories: [PolicyField: (category: String, at: Location)] = [:]
    private var fieldsSection: Location?
    private var purposes: [String: Purpose] = [:]
    /// Every purpose id the files declare, valid or not, and the categories each grants.
    private var declaredPurposes: Set<String> = []
    private var purposeCategoryRefs: [String: [(String, Location)]] = [:]
    /// Categories declared, even with a broken description.
    private var declaredCategories: Set<String> = []
    /// A file that is not YAML may define any section: what it would define is unknown.
    private var unreadableFiles = false
    private var modules: [String: ModuleProfile] = [:]
    /// The purposes and categories each declared module names, checked even for a broken module.
    private var moduleRefs: [String: (purposeRefs: [(String, Location)], updateRefs: [(String, Location)])] = [:]
    var file = ""
    private var ageOfMajority: (age: Int, at: Location)?
    private var statusCategory: (category: String, at: Location)?
    private var jurisdictions: [Jurisdiction] = []
    private var defaultJurisdiction: (id: String, at: Location)?
    /// The purposes each jurisdiction's opt-outs name, checked once purposes are all read.
    private var optOutRefs: [(jurisdiction: String, purpose: String, at: Location)] = []
    private var controller: ControllerIdentity?

    typealias Location = PolicyLocation

    static let sections = ["categories", "fields", "purposes", "modules", "minors", "jurisdictions", "controller"]
    /// Sections a policy may leave out, with their defaults (GDPR alone; an unconfigured controller).
    static let optionalSections: Set<String> = ["minors", "jurisdictions", "controller"]

    // MARK: Reading one file

    mutating func read(_ source: PolicyLoader.Source) {
        file = source.name
        let root: Node?
        do {
            root = try Yams.compose(yaml: source.text)
        } catch let error as YamlError {
            problems.append(Self.problem(from: error, file: file))
            unreadableFiles = true
            return
        } catch {
            problems.append(PolicyProblem(file: file, line: 0, column: 0, message: "not YAML"))
            unreadableFiles = true
            return
        }
        guard let root else { return }  // an empty file defines nothing
        guard let entries = mapping(root, "the file") else { return }
        for (key, keyNode, value) in entries {
            guard Self.sections.contains(key) else {
                report(keyNode, "unknown section \"\(key)\"; expected one of \(Self.sections.joined(separator: ", "))")
                continue
            }
            if let other = sectionFiles[key] {
                report(keyNode, "section \"\(key)\" is already defined in \(other)")
                continue
            }
            sectionFiles[key] = file
            switch key {
            case "categories": readCategories(value)
            case "fields": readFields(value, at: keyNode)
            case "purposes": readPurposes(value)
            case "minors": readMinors(value)
            case "jurisdictions": readJurisdictions(value)
            case "controller": readController(value)
            default: readModules(value)
            }
        }
    }

    private mutating func readCategories(_ node: Node) {
        guard let entries = mapping(node, "categories") else { return }
        for (id, keyNode, value) in entries {
            declaredCategories.insert(id)
            guard checkIdentifier(id, keyNode, pattern: .category) else { continue }
            guard let description = string(value, "the description of category \(id)") else { continue }
            categories[id] = DataCategory(id: id, description: description)
        }
    }

    private mutating func readFields(_ node: Node, at keyNode: Node) {
        fieldsSection = location(keyNode)
        guard let entries = mapping(node, "fields") else { return }
        for (path, pathNode, value) in entries {
            // `status` is no personal field, but changing it (closing a customer starts the
            // retention clocks) is an update a module must be granted like any other.
            if path == "status" {
                if let category = string(value, "the category of status") { statusCategory = (category, location(value)) }
                continue
            }
            guard let field = PolicyField(rawValue: path) else {
                report(pathNode, "unknown field \"\(path)\"; fields are \(PolicyField.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let category = string(value, "the category of \(path)") else { continue }
            fieldCategories[field] = (category, location(value))
        }
    }

    private mutating func readPurposes(_ node: Node) {
        guard let entries = mapping(node, "purposes") else { return }
        for (id, idNode, value) in entries {
            // Declared, even if broken below: a module naming it gets no follow-on error.
            declaredPurposes.insert(id)
            guard checkIdentifier(id, idNode, pattern: .identifier) else { continue }
            guard let keys = mapping(value, "purpose \(id)") else { continue }
            // Every key present is still read after a problem, so one pass reports them all.
            checkKeys(keys, of: value, allowed: ["name", "description", "dpv", "fidesDataUse", "legalBasis", "categories", "retention", "consent", "noticeVersion", "automatedDecision"],
                required: ["name", "description", "dpv", "legalBasis", "categories", "retention", "noticeVersion"], what: "purpose \(id)")
            let v = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
            let name = v["name"].flatMap { localized($0, "name of purpose \(id)") }
            let description = v["description"].flatMap { localized($0, "description of purpose \(id)") }
            let dpv = v["dpv"].flatMap { string($0, "dpv of purpose \(id)") }
            if let dpv, !dpv.hasPrefix("dpv:") { report(v["dpv"]!, "dpv must be a W3C DPV purpose such as dpv:ServiceProvision") }
            let fides = v["fidesDataUse"].flatMap { string($0, "fidesDataUse of purpose \(id)") } ?? ""
            let basis = v["legalBasis"].flatMap { enumeration($0, LegalBasis.self, "legalBasis of purpose \(id)") }
            var grants: [String: Purpose.Visibility] = [:]
            var refs: [(String, Location)] = []
            if let categoriesNode = v["categories"], let categoryEntries = mapping(categoriesNode, "categories of purpose \(id)") {
                for (category, categoryNode, visibilityNode) in categoryEntries {
                    refs.append((category, location(categoryNode)))
                    if let visibility = enumeration(visibilityNode, Purpose.Visibility.self, "visibility of \(category) in purpose \(id)") {
                        grants[category] = visibility
                    }
                }
            }
            purposeCategoryRefs[id] = refs
            let retention = v["retention"].flatMap { readRetention($0, purpose: id) }
            var consent: Purpose.ConsentSettings?
            if let consentNode = v["consent"] {
                if let basis, basis != .consent { report(consentNode, "consent settings are only for purposes whose legalBasis is consent") }
                consent = readConsent(consentNode, purpose: id)
            } else if basis == .consent {
                report(idNode, "purpose \(id) has legalBasis consent but no consent settings")
            }
            let notice = v["noticeVersion"].flatMap { string($0, "noticeVersion of purpose \(id)") }
            var automated: Purpose.AutomatedDecision?
            if let node = v["automatedDecision"], let keys = mapping(node, "automatedDecision of purpose \(id)"),
                checkKeys(keys, of: node, allowed: ["logic", "significance"], required: ["logic", "significance"], what: "automatedDecision of purpose \(id)")
            {
                let a = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
                if let logic = localized(a["logic"]!, "logic of purpose \(id)"), let significance = localized(a["significance"]!, "significance of purpose \(id)") {
                    automated = Purpose.AutomatedDecision(logic: logic, significance: significance)
                }
            }
            guard let name, let description, let dpv, let basis, let retention, let notice else { continue }
            purposes[id] = Purpose(
                id: id, name: name, description: description, dpvPurpose: dpv, fidesDataUse: fides, legalBasis: basis,
                categories: grants, retention: retention, consent: consent, noticeVersion: notice, automatedDecision: automated)
        }
    }

    private mutating func readRetention(_ node: Node, purpose: String) -> Purpose.Retention? {
        guard let keys = mapping(node, "retention of purpose \(purpose)"),
            checkKeys(keys, of: node, allowed: ["period", "from"], required: ["period", "from"], what: "retention of purpose \(purpose)")
        else { return nil }
        let v = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
        let period = duration(v["period"]!, "retention period of purpose \(purpose)")
        let from = enumeration(v["from"]!, Purpose.RetentionEvent.self, "retention event of purpose \(purpose)")
        guard let period, let from else { return nil }
        return Purpose.Retention(period: period, from: from)
    }

    private mutating func readConsent(_ node: Node, purpose: String) -> Purpose.ConsentSettings? {
        guard let keys = mapping(node, "consent of purpose \(purpose)"),
            checkKeys(keys, of: node, allowed: ["expiresAfter", "guardianRequiredUnderAge"], required: ["guardianRequiredUnderAge"],
                what: "consent of purpose \(purpose)")
        else { return nil }
        let v = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
        let expires = v["expiresAfter"].flatMap { duration($0, "consent expiry of purpose \(purpose)") }
        guard let ageNode = v["guardianRequiredUnderAge"], let ageText = string(ageNode, "guardian age") else { return nil }
        // GDPR Art. 8(1): member states may set the age between 13 and 16.
        guard let age = Int(ageText), (13...18).contains(age) else {
            report(ageNode, "guardianRequiredUnderAge must be a whole number from 13 to 18")
            return nil
        }
        return Purpose.ConsentSettings(expiresAfter: expires, guardianRequiredUnderAge: age)
    }

    /// `minors: {ageOfMajority: 18}`: below it a customer has a guardian who acts for them.
    private mutating func readMinors(_ node: Node) {
        guard let keys = mapping(node, "minors"), checkKeys(keys, of: node, allowed: ["ageOfMajority"], required: ["ageOfMajority"], what: "minors")
        else { return }
        let ageNode = keys[0].2
        guard let text = string(ageNode, "age of majority"), let age = Int(text), (14...21).contains(age) else {
            report(ageNode, "ageOfMajority must be a whole number from 14 to 21")
            return
        }
        ageOfMajority = (age, location(ageNode))
    }

    /// `jurisdictions: {eu-gdpr: {default: true, name, law, regions, supervisoryAuthority, rights, optOuts, ...}}`.
    private mutating func readJurisdictions(_ node: Node) {
        guard let entries = mapping(node, "jurisdictions") else { return }
        var regionOwners: [String: String] = [:]
        for (id, idNode, value) in entries {
            guard checkIdentifier(id, idNode, pattern: .identifier) else { continue }
            guard let keys = mapping(value, "jurisdiction \(id)") else { continue }
            checkKeys(keys, of: value, allowed: ["default", "name", "law", "regions", "supervisoryAuthority", "rights", "optOuts", "ageOfMajority", "consentAge", "breachNotification"],
                required: ["name", "law", "regions", "supervisoryAuthority", "rights"], what: "jurisdiction \(id)")
            let v = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
            if let defaultNode = v["default"], boolean(defaultNode, "default of jurisdiction \(id)") == true {
                if let other = defaultJurisdiction {
                    report(defaultNode, "jurisdiction \(other.id) is already the default; only one may be")
                } else {
                    defaultJurisdiction = (id, location(defaultNode))
                }
            }
            let name = v["name"].flatMap { string($0, "name of jurisdiction \(id)") }
            let law = v["law"].flatMap { string($0, "law of jurisdiction \(id)") }
            let authority = v["supervisoryAuthority"].flatMap { string($0, "supervisoryAuthority of jurisdiction \(id)") }
            var regions: [String] = []
            for (region, at) in v["regions"].map({ list($0, "regions of jurisdiction \(id)") }) ?? [] {
                guard region.range(of: #"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"#, options: .regularExpression) != nil else {
                    report(at, "region \"\(region)\" of jurisdiction \(id) is not an ISO 3166 code such as DE or US-CA")
                    continue
                }
                if let owner = regionOwners[region] {
                    report(at, "region \(region) is already covered by jurisdiction \(owner)")
                    continue
                }
                regionOwners[region] = id
                regions.append(region)
            }
            var rights: [DataSubjectRequest.RequestType: Jurisdiction.Deadline] = [:]
            if let rightsNode = v["rights"], let rightEntries = mapping(rightsNode, "rights of jurisdiction \(id)") {
                for (type, typeNode, ruleNode) in rightEntries {
                    guard let requestType = DataSubjectRequest.RequestType(rawValue: type) else {
                        report(typeNode, "rights of jurisdiction \(id): \"\(type)\" is not a request type; expected one of \(DataSubjectRequest.RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    guard let rule = mapping(ruleNode, "the \(type) right of jurisdiction \(id)"),
                        checkKeys(rule, of: ruleNode, allowed: ["deadline", "extension"], required: ["deadline"], what: "the \(type) right of jurisdiction \(id)")
                    else { continue }
                    let r = Dictionary(rule.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
                    guard let deadline = duration(r["deadline"]!, "deadline of \(type) in jurisdiction \(id)") else { continue }
                    let extensionPeriod = r["extension"].flatMap { duration($0, "extension of \(type) in jurisdiction \(id)") }
                    rights[requestType] = Jurisdiction.Deadline(period: deadline, extensionLimit: extensionPeriod)
                }
            }
            var optOuts: [OptOutRight: Jurisdiction.OptOutRule] = [:]
            if let optOutsNode = v["optOuts"], let optOutEntries = mapping(optOutsNode, "optOuts of jurisdiction \(id)") {
                for (rightID, rightNode, ruleNode) in optOutEntries {
                    guard let right = OptOutRight(rawValue: rightID) else {
                        report(rightNode, "optOuts of jurisdiction \(id): \"\(rightID)\" is not an opt-out right; expected one of \(OptOutRight.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    guard let rule = mapping(ruleNode, "opt-out \(rightID) of jurisdiction \(id)"),
                        checkKeys(rule, of: ruleNode, allowed: ["purposes", "gpc"], required: ["purposes"], what: "opt-out \(rightID) of jurisdiction \(id)")
                    else { continue }
                    let r = Dictionary(rule.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
                    let purposeRefs = list(r["purposes"]!, "purposes of opt-out \(rightID) in jurisdiction \(id)")
                    optOutRefs += purposeRefs.map { (id, $0.0, $0.1) }
                    let gpc = r["gpc"].flatMap { boolean($0, "gpc of opt-out \(rightID)") } ?? false
                    optOuts[right] = Jurisdiction.OptOutRule(purposes: Set(purposeRefs.map(\.0)), honoursGPC: gpc)
                }
            }
            let majority = v["ageOfMajority"].flatMap { age($0, "ageOfMajority of jurisdiction \(id)", in: 14...21) }
            let consentAge = v["consentAge"].flatMap { age($0, "consentAge of jurisdiction \(id)", in: 12...18) }
            if let majority, let consentAge, consentAge > majority {
                report(v["consentAge"]!, "consentAge \(consentAge) of jurisdiction \(id) is above its age of majority \(majority)")
            }
            let breach = v["breachNotification"].flatMap { duration($0, "breachNotification of jurisdiction \(id)") }
            guard let name, let law, let authority else { continue }
            jurisdictions.append(Jurisdiction(
                id: id, name: name, law: law, regions: regions, supervisoryAuthority: authority, rights: rights, optOuts: optOuts,
                ageOfMajority: majority, consentAge: consentAge, breachNotification: breach))
        }
        if defaultJurisdiction == nil, !entries.isEmpty {
            report(node, "one jurisdiction must be the default (default: true): it covers customers whose data names no region listed")
        }
    }

    /// `controller: {name, address, email, phone, policyUrl, dpo: {name, email}, dataSubjectCategories, transfers}`.
    private mutating func readController(_ node: Node) {
        guard let keys = mapping(node, "controller"),
            checkKeys(keys, of: node, allowed: ["name", "address", "email", "phone", "policyUrl", "dpo", "dataSubjectCategories", "transfers"],
                required: ["name", "address", "email", "policyUrl", "dpo", "dataSubjectCategories"], what: "controller")
        else { return }
        let v = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
        let name = string(v["name"]!, "name of the controller")
        let address = string(v["address"]!, "address of the controller")
        let email = string(v["email"]!, "email of the controller")
        let phone = v["phone"].flatMap { string($0, "phone of the controller") } ?? ""
        let url = string(v["policyUrl"]!, "policyUrl of the controller")
        if let url, !url.hasPrefix("https://") { report(v["policyUrl"]!, "policyUrl must be an https:// address customers can open") }
        var dpo: ControllerIdentity.DataProtectionOfficer?
        if let dpoKeys = mapping(v["dpo"]!, "dpo of the controller"),
            checkKeys(dpoKeys, of: v["dpo"]!, allowed: ["name", "email"], required: ["name", "email"], what: "dpo of the controller")
        {
            let d = Dictionary(dpoKeys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
            if let dpoName = string(d["name"]!, "name of the DPO"), let dpoEmail = string(d["email"]!, "email of the DPO") {
                dpo = ControllerIdentity.DataProtectionOfficer(name: dpoName, email: dpoEmail)
            }
        }
        let subjects = list(v["dataSubjectCategories"]!, "dataSubjectCategories of the controller").map(\.0)
        var transfers: [ControllerIdentity.Transfer] = []
        if let transfersNode = v["transfers"] {
            if case .sequence(let items) = transfersNode {
                for item in items {
                    guard let t = mapping(item, "a transfer"),
                        checkKeys(t, of: item, allowed: ["recipient", "country", "safeguard"], required: ["recipient", "country", "safeguard"], what: "a transfer")
                    else { continue }
                    let f = Dictionary(t.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
                    if let recipient = string(f["recipient"]!, "recipient of a transfer"), let country = string(f["country"]!, "country of a transfer"),
                        let safeguard = string(f["safeguard"]!, "safeguard of a transfer")
                    {
                        transfers.append(ControllerIdentity.Transfer(recipient: recipient, country: country, safeguard: safeguard))
                    }
                }
            } else {
                report(transfersNode, "transfers of the controller must be a list")
            }
        }
        guard let name, let address, let email, let url, let dpo, !subjects.isEmpty else { return }
        controller = ControllerIdentity(
            name: name, address: address, email: email, phone: phone, policyURL: url, dpo: dpo, dataSubjectCategories: subjects, transfers: transfers)
    }

    private mutating func age(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, what), let age = Int(text), range.contains(age) else {
            report(node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return age
    }

    private mutating func readModules(_ node: Node) {
        guard let entries = mapping(node, "modules") else { return }
        for (id, idNode, value) in entries {
            guard checkIdentifier(id, idNode, pattern: .identifier) else { continue }
            guard let keys = mapping(value, "module \(id)") else { continue }
            checkKeys(keys, of: value, allowed: ["applicationType", "description", "purposes", "operations", "callbackHosts"],
                required: ["applicationType", "purposes", "operations"], what: "module \(id)")
            let v = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
            let type = v["applicationType"].flatMap { string($0, "applicationType of module \(id)") }
            let description = v["description"].flatMap { string($0, "description of module \(id)") } ?? ""
            let purposeRefs = v["purposes"].map { list($0, "purposes of module \(id)") } ?? []
            var callbackHosts: [String] = []
            for (host, at) in v["callbackHosts"].map({ list($0, "callbackHosts of module \(id)") }) ?? [] {
                guard CallbackHostPattern(host) != nil else {
                    report(at, "callbackHosts of module \(id): \"\(host)\" is not a host name, an IP address or *.domain")
                    continue
                }
                callbackHosts.append(host)
            }
            var operations = ModuleProfile.Operations()
            var updateRefs: [(String, Location)] = []
            if let operationsNode = v["operations"], let operationKeys = mapping(operationsNode, "operations of module \(id)") {
                checkKeys(operationKeys, of: operationsNode, allowed: ["read", "search", "audience", "create", "update", "recordConsent"], required: [],
                    what: "operations of module \(id)")
                for (operation, _, value) in operationKeys {
                    switch operation {
                    case "read": operations.read = boolean(value, "read") ?? false
                    case "search": operations.search = boolean(value, "search") ?? false
                    case "audience": operations.audience = boolean(value, "audience") ?? false
                    case "create": operations.create = boolean(value, "create") ?? false
                    case "recordConsent": operations.recordConsent = boolean(value, "recordConsent") ?? false
                    case "update":
                        updateRefs = list(value, "categories module \(id) may update")
                        operations.update = Set(updateRefs.map(\.0))
                    default: break  // reported by checkKeys
                    }
                }
            }
            moduleRefs[id] = (purposeRefs, updateRefs)
            guard let type else { continue }
            let module = ModuleProfile(
                id: id, applicationType: type, description: description, purposes: Set(purposeRefs.map(\.0)), operations: operations,
                callbackHosts: callbackHosts.compactMap(CallbackHostPattern.init))
            modules[id] = module
        }
    }

    // MARK: Across files

    mutating func finish(version: String) throws(PolicyError) -> Policy {
        // A section missing because its file is not YAML was reported as that file's problem.
        if !unreadableFiles {
            for section in Self.sections where sectionFiles[section] == nil && !Self.optionalSections.contains(section) {
                problems.append(PolicyProblem(file: "Policies", line: 0, column: 0, message: "no file defines the \"\(section)\" section"))
            }
        }
        // References are checked only against a section that was read: a missing section is
        // one problem, not one per reference.
        let categoriesRead = sectionFiles["categories"] != nil
        func undefinedCategory(_ category: String) -> Bool { categoriesRead && !declaredCategories.contains(category) }
        for (field, entry) in fieldCategories where undefinedCategory(entry.category) {
            report(entry.at, "field \(field.rawValue) names category \"\(entry.category)\", which is not defined under categories")
        }
        if let at = fieldsSection {
            let missing = PolicyField.allCases.filter { fieldCategories[$0] == nil }.map(\.rawValue) + (statusCategory == nil ? ["status"] : [])
            if !missing.isEmpty { report(at, "every field needs a category; missing: \(missing.joined(separator: ", "))") }
        }
        for (id, refs) in purposeCategoryRefs {
            for (category, at) in refs where undefinedCategory(category) {
                report(at, "purpose \(id) grants category \"\(category)\", which is not defined under categories")
            }
        }
        for (id, entry) in moduleRefs {
            for (purpose, at) in entry.purposeRefs where sectionFiles["purposes"] != nil && !declaredPurposes.contains(purpose) {
                report(at, "module \(id) names purpose \"\(purpose)\", which is not defined under purposes")
            }
            for (category, at) in entry.updateRefs where undefinedCategory(category) {
                report(at, "module \(id) may update category \"\(category)\", which is not defined under categories")
            }
        }
        if let status = statusCategory, undefinedCategory(status.category) {
            report(status.at, "field status names category \"\(status.category)\", which is not defined under categories")
        }
        let majority = ageOfMajority?.age ?? Policy.defaultAgeOfMajority
        for (id, purpose) in purposes {
            if let age = purpose.consent?.guardianRequiredUnderAge, age > majority {
                report(ageOfMajority?.at ?? Location(file: "Policies", line: 0, column: 0),
                       "purpose \(id) needs a guardian under \(age), above the age of majority \(majority)")
            }
        }
        for ref in optOutRefs where sectionFiles["purposes"] != nil && !declaredPurposes.contains(ref.purpose) {
            report(ref.at, "jurisdiction \(ref.jurisdiction) names purpose \"\(ref.purpose)\" in an opt-out, which is not defined under purposes")
        }
        // Opt-outs are kept beside consents by their right's name: a purpose may not take it.
        for id in purposes.keys.sorted() where OptOutRight(rawValue: id) != nil {
            report(Location(file: sectionFiles["purposes"] ?? "Policies", line: 0, column: 0), "purpose id \(id) is the name of an opt-out right; choose another")
        }
        guard problems.isEmpty else {
            throw PolicyError(problems: problems.sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) })
        }
        return Policy(
            version: version, categories: categories, fieldCategories: fieldCategories.mapValues(\.category),
            purposes: purposes, modules: modules, ageOfMajority: majority,
            statusCategory: statusCategory?.category ?? "", jurisdictions: jurisdictions.sorted { $0.id < $1.id },
            defaultJurisdiction: defaultJurisdiction?.id, controller: controller ?? .unconfigured)
    }

    // MARK: Node helpers (the shared ones are in PolicyNodeReading)

    private mutating func localized(_ node: Node, _ what: String) -> LocalizedText? {
        guard let entries = mapping(node, what) else { return nil }
        var texts: [String: String] = [:]
        for (language, languageNode, value) in entries {
            guard language.range(of: #"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"#, options: .regularExpression) != nil else {
                report(languageNode, "\"\(language)\" is not a BCP 47 language tag")
                continue
            }
            texts[language] = string(value, "\(what) in \(language)")
        }
        guard texts["en"] != nil, texts.count >= 2 else {
            report(node, "\(what) needs English (en) and at least one other language")
            return nil
        }
        return LocalizedText(texts)
    }

    private enum IdentifierPattern {
        case identifier, category
        var regex: String { self == .identifier ? #"^[a-z][a-z0-9-]*$"# : #"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"# }
        var example: String { self == .identifier ? "lower-case letters, digits and hyphens" : "dotted lower-case words like user.contact.email" }
    }

    private mutating func checkIdentifier(_ id: String, _ node: Node, pattern: IdentifierPattern) -> Bool {
        guard id.range(of: pattern.regex, options: .regularExpression) != nil else {
            report(node, "\"\(id)\" is not a valid id: use \(pattern.example)")
            return false
        }
        return true
    }

    static func problem(from error: YamlError, file: String) -> PolicyProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PolicyProblem(file: file, line: mark.line, column: mark.column, message: "YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PolicyProblem(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")) in this mapping")
        default:
            return PolicyProblem(file: file, line: 0, column: 0, message: "YAML: cannot read the file")
        }
    }
}
