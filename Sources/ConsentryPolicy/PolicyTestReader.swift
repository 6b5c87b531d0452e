import ConsentryCore
import Foundation
import Yams

/// Reads `Policies/tests/*.yaml` strictly, like the policy itself: an unknown key, a field,
/// purpose or reason code that does not exist, or a value of the wrong kind is a problem with
/// file, line and column, so a typo never makes a case pass by testing nothing.
public enum PolicyTestReader {
    /// The cases of every `*.yaml` file in `directory`, in file then line order.
    public static func load(directory: String, displayPrefix: String? = nil) throws(PolicyError) -> [PolicyTestCase] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw PolicyError(problems: [PolicyProblem(file: directory, line: 0, column: 0, message: "no policy tests here (a tests/ folder beside the policy)")])
        }
        var cases: [PolicyTestCase] = []
        var problems: [PolicyProblem] = []
        for name in names {
            let shown = (displayPrefix ?? directory) + "/" + name
            guard let data = FileManager.default.contents(atPath: directory + "/" + name), let text = String(data: data, encoding: .utf8) else {
                problems.append(PolicyProblem(file: shown, line: 0, column: 0, message: "cannot read the file as UTF-8"))
                continue
            }
            var reader = FileReader(file: shown)
            reader.read(text)
            cases += reader.cases
            problems += reader.problems
        }
        guard problems.isEmpty else { throw PolicyError(problems: problems) }
        return cases
    }

    /// Reads one file's text (tests of the reader itself).
    public static func read(_ text: String, file: String) throws(PolicyError) -> [PolicyTestCase] {
        var reader = FileReader(file: file)
        reader.read(text)
        guard reader.problems.isEmpty else { throw PolicyError(problems: reader.problems) }
        return reader.cases
    }

    struct FileReader: PolicyNodeReading {
        let file: String
        var cases: [PolicyTestCase] = []
        var problems: [PolicyProblem] = []

        init(file: String) { self.file = file }

        mutating func read(_ text: String) {
            let root: Node?
            do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
                problems.append(PolicyDocumentReader.problem(from: error, file: file))
                return
            } catch {
                problems.append(PolicyProblem(file: file, line: 0, column: 0, message: "not YAML"))
                return
            }
            guard let root, let top = mapping(root, "the file") else { return }
            for (key, keyNode, value) in top {
                guard key == "cases" else {
                    report(keyNode, "unknown section \"\(key)\"; a test file holds `cases:`")
                    continue
                }
                guard case .sequence(let items) = value else {
                    report(value, "cases must be a list")
                    continue
                }
                for item in items { readCase(item) }
            }
        }

        mutating func readCase(_ node: Node) {
            guard let keys = mapping(node, "a case") else { return }
            let allowed: Set = ["name", "module", "purpose", "operation", "customer", "fields", "expect"]
            for (key, keyNode, _) in keys where !allowed.contains(key) {
                report(keyNode, "unknown key \"\(key)\" in a case; allowed: \(allowed.sorted().joined(separator: ", "))")
            }
            let v = Dictionary(keys.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
            for required in ["name", "module", "purpose", "expect"] where v[required] == nil {
                report(node, "the case lacks \"\(required)\"")
            }
            let name = v["name"].flatMap { string($0, "name") } ?? "(unnamed)"
            let module = v["module"].flatMap { string($0, "module") } ?? ""
            let purpose = v["purpose"].flatMap { string($0, "purpose") } ?? ""
            var operation = ModuleOperation.read
            if let node = v["operation"], let text = string(node, "operation") {
                if let parsed = ModuleOperation(rawValue: text) { operation = parsed } else {
                    report(node, "operation \"\(text)\" is not one of \(ModuleOperation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            var fields: [PolicyField]?
            if let node = v["fields"] {
                fields = list(node, "fields").compactMap { item, at in
                    guard let field = PolicyField(rawValue: item) else {
                        report(at, "unknown field \"\(item)\"")
                        return nil
                    }
                    return field
                }
            }
            let customer = v["customer"].map { readCustomer($0) } ?? PolicyTestCase.CustomerState()
            guard let expectNode = v["expect"] else { return }
            let expect = readExpectation(expectNode)
            cases.append(PolicyTestCase(
                file: file, line: (node.mark?.line ?? 0), name: name, module: module, purpose: purpose, operation: operation,
                customer: customer, fields: fields, expect: expect))
        }

        mutating func readCustomer(_ node: Node) -> PolicyTestCase.CustomerState {
            var state = PolicyTestCase.CustomerState()
            guard let keys = mapping(node, "customer") else { return state }
            for (key, keyNode, value) in keys {
                switch key {
                case "jurisdiction": state.jurisdiction = string(value, key)
                case "region": state.region = string(value, key)
                case "age":
                    if let t = string(value, key), let age = Int(t), (0...130).contains(age) { state.age = age } else { report(value, "age must be a whole number of years") }
                case "consents":
                    for (purpose, _, statusNode) in mapping(value, "consents") ?? [] {
                        guard let status = string(statusNode, "consent"), ["given", "refused", "withdrawn", "expired"].contains(status) else {
                            report(statusNode, "a consent is given, refused, withdrawn or expired")
                            continue
                        }
                        state.consents[purpose] = status
                    }
                case "objections": state.objections = list(value, key).map(\.0)
                case "optOuts":
                    state.optOuts = list(value, key).compactMap { item, at in
                        guard let right = OptOutRight(rawValue: item) else {
                            report(at, "unknown opt-out \"\(item)\"; they are \(OptOutRight.allCases.map(\.rawValue).joined(separator: ", "))")
                            return nil
                        }
                        return right
                    }
                case "restricted": state.restricted = boolean(value, key) ?? false
                case "erased": state.erased = boolean(value, key) ?? false
                case "relationshipEnded": state.relationshipEnded = duration(value, "relationshipEnded (how long ago)")
                case "customerFor": state.customerFor = duration(value, "customerFor")
                default:
                    report(keyNode, "unknown key \"\(key)\" in customer; allowed: age, consents, customerFor, erased, jurisdiction, objections, optOuts, region, relationshipEnded, restricted")
                }
            }
            return state
        }

        mutating func readExpectation(_ node: Node) -> PolicyTestCase.Expectation {
            var expect = PolicyTestCase.Expectation()
            guard let keys = mapping(node, "expect") else { return expect }
            for (key, keyNode, value) in keys {
                switch key {
                case "outcome":
                    if let t = string(value, key) {
                        if let outcome = AccessDecision.Outcome(rawValue: t) { expect.outcome = outcome } else { report(value, "outcome is permitted, partial or denied") }
                    }
                case "reasons":
                    expect.reasons = list(value, key).compactMap { item, at in
                        guard let code = ReasonCode(rawValue: item) else {
                            report(at, "unknown reason code \"\(item)\"")
                            return nil
                        }
                        return code
                    }
                case "fields":
                    for (fieldName, fieldNode, treatmentNode) in mapping(value, "expected fields") ?? [] {
                        guard let field = PolicyField(rawValue: fieldName) else {
                            report(fieldNode, "unknown field \"\(fieldName)\"")
                            continue
                        }
                        guard let t = string(treatmentNode, "treatment"), let treatment = FieldDecision.Treatment(rawValue: t) else {
                            report(treatmentNode, "a field is plain, masked or withheld")
                            continue
                        }
                        expect.fields[field] = treatment
                    }
                case "consentFrom":
                    if let t = string(value, key), ["customer", "guardian", "not_required"].contains(t) { expect.consentFrom = t } else {
                        report(value, "consentFrom is customer, guardian or not_required")
                    }
                case "jurisdiction": expect.jurisdiction = string(value, key)
                case "rights":
                    for (typeName, typeNode, ruleNode) in mapping(value, "expected rights") ?? [] {
                        guard let type = DataSubjectRequest.RequestType(rawValue: typeName) else {
                            report(typeNode, "unknown request type \"\(typeName)\"")
                            continue
                        }
                        expect.rights[type] = string(ruleNode, "the deadline of \(typeName)")
                    }
                default:
                    report(keyNode, "unknown key \"\(key)\" in expect; allowed: consentFrom, fields, jurisdiction, outcome, reasons, rights")
                }
            }
            return expect
        }
    }
}
