import ConsentryCore
import ConsentryTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The official TM Forum v4 documents (`Tests/TMF`, unmodified) as the contract of every TMF
/// response the HTTP suite receives: the operation is found by method and path, and the body
/// is validated against the schema the document gives for that status.
///
/// Deviations are known from one place only, `docs/tmf-conformance.md`: its table rows name
/// operations Consentry adds (`extension`) and statuses beyond the document (`status`), and
/// this type reads them from there. Anything else that does not match is a violation.
struct TMFContract: Sendable {
    struct Operation: Sendable {
        var api: String
        var method: String
        var template: [String]
        var responses: [String: JSONValue]
    }

    /// What the conformance document allows beyond the official one.
    struct Deviations: Sendable {
        /// `METHOD /tmf-api/.../path/{id}` of operations the documents do not have.
        var extensions: Set<String> = []
        /// Status codes beyond the document, for every operation (`*`) or one.
        var statuses: [String: Set<Int>] = [:]
        /// `METHOD /path` → JSON paths (`$[].birthDate`) whose violations are listed.
        var attributes: [String: Set<String>] = [:]
        /// Event types Consentry adds, and JSON paths under which an event's resource may
        /// lack attributes the full resource requires (events carry references).
        var eventExtensions: Set<String> = []
        var eventReferencePaths: Set<String> = []
    }

    let operations: [Operation]
    let definitions: [String: JSONValue]
    let deviations: Deviations

    static let shared: TMFContract = {
        do { return try load() } catch { fatalError("the TMF documents under Tests/TMF do not load: \(error)") }
    }()

    /// The official base paths, and the paths Consentry also serves them at.
    static let aliases: [String: String] = ["/tmf-api/partyManagement/v4/": "/tmf-api/party/v4/"]

    static func load() throws -> TMFContract {
        let root = (RepositoryFixtures.directory as NSString).deletingLastPathComponent
        var operations: [Operation] = []
        var definitions: [String: JSONValue] = [:]
        for file in ["TMF629-Customer-v4.0.0", "TMF632-Party-v4.0.0", "TMF644-Privacy-v4.0.0"] {
            let document = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(root)/Tests/TMF/\(file).swagger.json"))))
            let api = String(file.prefix(6))
            guard let base = document["basePath"]?.stringValue, case .object(let paths)? = document["paths"],
                case .object(let defs)? = document["definitions"]
            else { throw ContractError("\(file) is not a Swagger 2.0 document") }
            // Definition names repeat across the three documents with the same meaning
            // (`Error`, `RelatedParty`...): each operation resolves within its own document.
            for (name, schema) in defs { definitions["\(api)/\(name)"] = schema }
            for (path, methods) in paths {
                guard case .object(let byMethod) = methods else { continue }
                for (method, operation) in byMethod {
                    guard case .object(let responses)? = operation["responses"] else { continue }
                    let full = (base + path.dropFirst()).split(separator: "/").map(String.init)
                    operations.append(Operation(api: api, method: method.uppercased(), template: full, responses: Dictionary(uniqueKeysWithValues: responses)))
                }
            }
        }
        return TMFContract(operations: operations, definitions: definitions, deviations: try readDeviations(root: root))
    }

    /// The rows of the conformance document's deviation table:
    /// `| extension | GET /tmf-api/... | why |` and `| status | * or METHOD path | 422, 428 | why |`.
    static func readDeviations(root: String) throws -> Deviations {
        let text = try String(contentsOfFile: "\(root)/docs/tmf-conformance.md", encoding: .utf8)
        var deviations = Deviations()
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") }
            guard cells.count >= 3 else { continue }
            switch cells[0] {
            case "extension": deviations.extensions.insert(cells[1])
            case "status": deviations.statuses[cells[1], default: []].formUnion(cells[2].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) })
            case "attribute": deviations.attributes[cells[1], default: []].insert(cells[2])
            case "event" where cells[2].isEmpty: deviations.eventExtensions.insert(cells[1])
            case "event": deviations.eventReferencePaths.insert(cells[2])
            default: continue
            }
        }
        return deviations
    }

    /// The violations of one response; empty when it conforms.
    func violations(method: String, path uri: String, status: Int, body: String) -> [String] {
        var path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        for (alias, official) in Self.aliases where path.hasPrefix(alias) { path = official + path.dropFirst(alias.count) }
        guard path.hasPrefix("/tmf-api/") else { return [] }
        let segments = path.split(separator: "/").map(String.init)
        let onPath = operations.filter { Self.matches($0.template, segments) }
        // The most literal template wins (`/hub` over `/{id}`).
        let candidates = onPath.filter { $0.method == method }
        guard let operation = candidates.min(by: { $0.template.filter { $0.hasPrefix("{") }.count < $1.template.filter { $0.hasPrefix("{") }.count }) else {
            let isExtension = deviations.extensions.contains { entry in
                let parts = entry.split(separator: " ", maxSplits: 1).map(String.init)
                return parts.count == 2 && parts[0] == method && Self.matches(parts[1].split(separator: "/").map(String.init), segments)
            }
            if isExtension { return [] }
            // A method the document does not have on a path it has: refused as TMF says.
            if !onPath.isEmpty, status == 405, let api = onPath.first?.api {
                return validate(body, against: .object([("$ref", .string("#/definitions/Error"))]), api: api, at: "\(method) \(path)")
            }
            return ["\(method) \(path) is not an operation of the official documents nor an extension listed in docs/tmf-conformance.md"]
        }
        let operationKey = "\(method) /" + operation.template.joined(separator: "/")
        guard let response = operation.responses[String(status)] else {
            let allowed = deviations.statuses["*", default: []].union(deviations.statuses[operationKey, default: []])
            guard allowed.contains(status) else { return ["\(operationKey): status \(status) is neither in the document nor listed as a deviation"] }
            return status >= 400 ? validate(body, against: .object([("$ref", .string("#/definitions/Error"))]), api: operation.api, at: operationKey) : []
        }
        guard let schema = response["schema"] else { return [] }
        let listed = deviations.attributes[operationKey, default: []]
        return validate(body, against: schema, api: operation.api, at: operationKey).filter { violation in
            !listed.contains { violation.hasPrefix("\(operationKey): \($0):") }
        }
    }

    /// The violations of one delivered event: its envelope against the official definition
    /// of its `eventType` (TMF629 for the customer domain, TMF644 for privacy).
    func eventViolations(_ body: String) -> [String] {
        guard let event = try? JSONValue.parse(Array(body.utf8)), let type = event["eventType"]?.stringValue else { return ["an event that is not a JSON envelope with eventType"] }
        if deviations.eventExtensions.contains(type) { return [] }
        let api = event["domain"] == .string("customerManagement") ? "TMF629" : "TMF644"
        guard definitions["\(api)/\(type)"] != nil else { return ["\(type) is not an event of \(api) nor an extension listed in docs/tmf-conformance.md"] }
        return validate(body, against: .object([("$ref", .string("#/definitions/\(type)"))]), api: api, at: type).filter { violation in
            !deviations.eventReferencePaths.contains { path in
                violation.hasPrefix("\(type): \(path).") && violation.hasSuffix(": required, missing") && violation.dropFirst("\(type): \(path).".count).split(separator: ".").count == 1
            }
        }
    }

    private func validate(_ body: String, against schema: JSONValue, api: String, at operation: String) -> [String] {
        guard let value = try? JSONValue.parse(Array(body.utf8)) else { return ["\(operation): the body is not JSON"] }
        var problems: [String] = []
        check(value, schema, api: api, path: "$", problems: &problems)
        return problems.map { "\(operation): \($0)" }
    }

    /// Swagger 2.0 schemas as the TMF documents use them: `$ref`, `type`, `properties`,
    /// `required`, `items`, `minItems`, `format: date-time`. Extra properties are allowed,
    /// as the documents do not forbid them.
    private func check(_ value: JSONValue, _ schema: JSONValue, api: String, path: String, problems: inout [String]) {
        if let ref = schema["$ref"]?.stringValue {
            guard let target = definitions["\(api)/\(ref.replacingOccurrences(of: "#/definitions/", with: ""))"] else {
                problems.append("\(path): unresolved \(ref)")
                return
            }
            check(value, target, api: api, path: path, problems: &problems)
            return
        }
        switch schema["type"]?.stringValue {
        case "object"?, nil where schema["properties"] != nil:
            guard case .object(let members) = value else { return problems.append("\(path): expected an object") }
            let present = Dictionary(members, uniquingKeysWith: { a, _ in a })
            if case .array(let required)? = schema["required"] {
                for name in required.compactMap(\.stringValue) where present[name] == nil {
                    problems.append("\(path).\(name): required, missing")
                }
            }
            if case .object(let properties)? = schema["properties"] {
                for (name, propertySchema) in properties {
                    if let member = present[name], member != .null { check(member, propertySchema, api: api, path: "\(path).\(name)", problems: &problems) }
                }
            }
        case "array"?:
            guard case .array(let items) = value else { return problems.append("\(path): expected an array") }
            if let minimum = schema["minItems"].flatMap({ if case .number(let n) = $0 { Int(n) } else { nil } }), items.count < minimum {
                problems.append("\(path): fewer than \(minimum) items")
            }
            if let itemSchema = schema["items"] {
                for item in items { check(item, itemSchema, api: api, path: "\(path)[]", problems: &problems) }
            }
        case _ where schema["enum"] != nil:
            if case .array(let allowed)? = schema["enum"], !allowed.contains(value) { problems.append("\(path): not one of the document's values") }
        case "string"?:
            guard case .string(let text) = value else { return problems.append("\(path): expected a string") }
            if schema["format"]?.stringValue == "date-time", !Self.isDateTime(text) { problems.append("\(path): not a date-time") }
            if schema["format"]?.stringValue == "uri", text.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:", options: .regularExpression) == nil {
                problems.append("\(path): not an absolute URI")
            }
        case "boolean"?:
            guard case .bool = value else { return problems.append("\(path): expected a boolean") }
        case "integer"?, "number"?:
            guard case .number = value else { return problems.append("\(path): expected a number") }
        default:
            return
        }
    }

    /// RFC 3339 date-time, as JSON Schema's `date-time` format means it.
    static func isDateTime(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }

    static func matches(_ template: [String], _ segments: [String]) -> Bool {
        template.count == segments.count && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }

    struct ContractError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// A test client that checks every TMF response against `TMFContract` and records each
/// violation as a test issue.
struct TMFCheckingClient: TestClientProtocol {
    let base: any TestClientProtocol
    var port: Int? { base.port }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        let response = try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
        for violation in TMFContract.shared.violations(method: method.rawValue, path: uri, status: Int(response.status.code), body: String(buffer: response.body)) {
            Issue.record("TMF contract: \(violation)")
        }
        return response
    }
}
