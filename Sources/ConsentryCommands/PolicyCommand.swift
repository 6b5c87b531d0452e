import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation

/// Where the policy files are; every command that decides shares it.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: "The policy directory. Env: CONSENTRY_POLICIES.")
    var policies: String = ProcessInfo.processInfo.environment["CONSENTRY_POLICIES"] ?? "Policies"

    /// Loads the policy or prints every problem as file:line:column and fails.
    func load(requireTests: Bool = false) throws -> PolicyRegistry {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: policies, isDirectory: &isDirectory), isDirectory.boolValue else {
            // Run outside the repository folder, the default `Policies` is not there: say so plainly.
            throw CommandFailure(
                message: "no policy directory at \(URL(fileURLWithPath: policies).standardizedFileURL.path); run from the folder that holds Policies/, or pass --policies (or CONSENTRY_POLICIES)",
                exitCode: CommandFailure.noInput)
        }
        do { return try PolicyRegistry(directory: policies, requireTests: requireTests) } catch {
            // A problem in a file is `file:line:column`, under the directory; one about the whole directory stands alone.
            let lines = error.problems.map { $0.line > 0 ? "  \(policies)/\($0)" : "  \($0.message)" }
            Terminal.note("the policy in \(policies) does not load:\n" + lines.joined(separator: "\n"))
            throw ExitCode(65)  // EX_DATAERR
        }
    }
}

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Validate the purpose policy and explain its decisions.",
        subcommands: [Check.self, Explain.self, Test.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate Policies/: prints the version, or every problem as file:line:column (exit 65).")
        @OptionGroup var policy: PolicyOptions

        func run() async throws {
            let loaded = try policy.load().policy
            print("\(policy.policies): valid, version \(loaded.version)")
            print("  \(loaded.categories.count) data categories, \(loaded.fieldCategories.count) fields mapped, "
                + "\(loaded.purposes.count) purposes, \(loaded.modules.count) modules")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the policy's tests (Policies/tests/*.yaml): each failure with file:line, expected against actual (exit 1).")
        @OptionGroup var policy: PolicyOptions
        @Option(help: "The test directory (default: tests/ in the policy directory).") var tests: String?
        @Flag(help: "Also fail when a purpose, module or jurisdiction of the policy has no case.") var requireCoverage = false
        @Flag(help: "Print only failures and the summary.") var quiet = false

        func run() async throws {
            let loaded = try policy.load().policy
            let directory = tests ?? policy.policies + "/tests"
            let cases: [PolicyTestCase]
            do { cases = try PolicyTestReader.load(directory: directory) } catch {
                Terminal.note("the policy tests in \(directory) do not load:\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
                throw ExitCode(65)
            }
            let runner = PolicyTestRunner(policy: loaded)
            let results = runner.run(cases)
            for result in results {
                if result.passed {
                    if !quiet { print("✔ \(result.testCase.location) \(result.testCase.name)") }
                } else {
                    print("✘ \(result.testCase.location) \(result.testCase.name)")
                    for failure in result.failures { print("    \(failure)") }
                }
            }
            let failed = results.filter { !$0.passed }.count
            let coverage = runner.coverage(of: cases)
            print("\(results.count) cases, \(failed) failed, policy \(loaded.version)")
            if coverage.complete {
                print("coverage: every purpose (\(loaded.purposes.count)), module (\(loaded.modules.count)) and jurisdiction (\(loaded.jurisdictions.count)) has a case")
            } else {
                for (what, ids) in [("purposes", coverage.uncoveredPurposes), ("modules", coverage.uncoveredModules), ("jurisdictions", coverage.uncoveredJurisdictions)] where !ids.isEmpty {
                    print("coverage: no case for \(what) \(ids.joined(separator: ", "))")
                }
            }
            if failed > 0 || (requireCoverage && !coverage.complete) { throw ExitCode(1) }
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the decision for a module, a purpose and (optionally) a stored customer, field by field, with reasons.")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var data: DataOptions
        @Option(help: "The module id (see `consentry modules list`).") var module: String
        @Option(help: "The purpose id.") var purpose: String
        @Option(help: "read, search, audience, create or update.") var operation: String = "read"
        @Option(help: "A stored customer id: apply their consent, objection, restriction and retention state.") var customer: String?
        @Option(help: "Comma-separated fields (as in fields=); default: all.") var fields: String?

        func run() async throws {
            let engine = try policy.load().engine
            guard let operation = ModuleOperation(rawValue: operation) else {
                throw ValidationError("--operation must be one of \(ModuleOperation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            print("policy \(engine.policy.version)")
            let grant: PurposeGrant
            do { grant = try engine.authorize(module: module, purpose: purpose, operation: operation) } catch {
                print("module \(module), purpose \(purpose), operation \(operation.rawValue): DENIED \(error.reason.rawValue): \(error.reason.explanation)")
                throw ExitCode(1)
            }
            let p = grant.purpose
            print("module \(module) (\(grant.module.applicationType)) may \(operation.rawValue) for purpose \(p.id) (\(p.name.text(for: "en")))")
            print("  legal basis \(p.legalBasis.rawValue) (\(p.legalBasis.article)), \(p.dpvPurpose), retention \(p.retention.period) from \(p.retention.from.rawValue)")
            let selection: FieldSelection
            do { selection = try FieldSelection(parameter: fields) } catch { throw ValidationError("unknown field \"\(error.name)\"") }
            let state: CustomerPrivacyState
            let partyType: PartyType
            if let customer {
                let (database, _) = try await data.dataDirectory.open()
                guard let found = try await ConsentLedger(database: database).privacyState(customerID: customer) else {
                    throw CommandFailure(message: "no customer \(customer) in \(data.dataDir)", exitCode: CommandFailure.noInput)
                }
                (state, partyType) = found
                print("customer \(customer): \(partyType.rawValue), \(state.status.rawValue)"
                    + ", consent for \(p.id): \(state.consents[p.id].map { "\($0.status.rawValue) since \(ISOTimestamp.format($0.since))" } ?? "none")"
                    + (state.objections.contains(p.id) ? ", objected" : "") + (state.restricted ? ", processing restricted" : ""))
            } else {
                // No customer: one in good standing who consented, to show what the purpose itself allows.
                state = CustomerPrivacyState(
                    customerID: "(any)", status: .active, createdAt: Date(),
                    consents: [p.id: ConsentState(status: .given, since: Date())])
                partyType = .individual
                print("no --customer: assuming an active individual" + (p.legalBasis == .consent ? " who gave consent" : ""))
            }
            let decision = engine.decide(grant, customer: state, fields: selection.policyFields(for: partyType), now: Date())
            if let reason = decision.customerReason { print("customer state stops the purpose: \(reason.rawValue): \(reason.explanation)") }
            let width = (decision.fields.map(\.field.rawValue.count).max() ?? 10) + 2
            let categoryWidth = (decision.fields.map(\.category.count).max() ?? 10) + 2
            func pad(_ text: String, _ n: Int) -> String { text + String(repeating: " ", count: max(1, n - text.count)) }
            print(pad("field", width) + pad("category", categoryWidth) + pad("treatment", 11) + "reason")
            for field in decision.fields {
                print(pad(field.field.rawValue, width) + pad(field.category, categoryWidth) + pad(field.treatment.rawValue, 11) + field.reason.rawValue)
            }
            print("outcome: \(decision.outcome.rawValue)")
        }
    }
}
