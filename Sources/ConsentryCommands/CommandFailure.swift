import ArgumentParser
import ConsentryCrypto
import ConsentryStorage
import ConsentryStore
import ConsentryUseCases
import Foundation
import ConsentryRecords

/// A command that parsed fine but could not do its work: printed as `consentry: <what went
/// wrong>` without the usage text (which is for mistakes in the command line), with a
/// sysexits(3) code that says what kind of failure it was.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    var description: String { message }

    static let dataError: Int32 = 65  // EX_DATAERR: the input or the stored data is wrong
    static let noInput: Int32 = 66  // EX_NOINPUT: no such customer, module, request, file
    static let unavailable: Int32 = 69  // EX_UNAVAILABLE: the database cannot be reached
    static let software: Int32 = 70  // EX_SOFTWARE
    static let cannotCreate: Int32 = 73  // EX_CANTCREAT: an output file
    static let tryAgain: Int32 = 75  // EX_TEMPFAIL: in use, changed meanwhile
    static let noPermission: Int32 = 77  // EX_NOPERM: policy or state refuses it
    static let configuration: Int32 = 78  // EX_CONFIG: keys, key file

    /// The failure an error thrown while a command ran stands for; `nil` for the errors
    /// ArgumentParser reports itself (usage mistakes, `ExitCode`, `CleanExit`).
    static func from(_ error: any Error) -> CommandFailure? {
        switch error {
        case let failure as CommandFailure:
            return failure
        case let error as UseCaseError:
            let code: Int32 = switch error.kind {
            case .invalid: dataError
            case .notFound: noInput
            case .forbidden: noPermission
            case .conflict: tryAgain
            }
            return CommandFailure(message: error.message, exitCode: code)
        case let error as StoreError:
            let code: Int32 = switch error.code {
            case .notFound, .notInitialized, .backupMissing, .unknownCustomer: noInput
            case .installationBusy, .versionConflict, .staleKeys, .lockUnavailable: tryAgain
            case .outputExists, .outputUnwritable, .backupExists, .ledgerUnwritable: cannotCreate
            default: dataError
            }
            return CommandFailure(message: error.description, exitCode: code)
        case let error as KeyError:
            return CommandFailure(message: error.description, exitCode: configuration)
        case let error as StorageFailure:
            return CommandFailure(message: error.message, exitCode: error.code == .unavailable || error.code == .timeout ? unavailable : software)
        case let error as CryptoError:
            return CommandFailure(message: "\(error)", exitCode: dataError)
        default:
            return nil
        }
    }
}
