import ArgumentParser
import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryStore
import Foundation

/// `consentry token --customer ID`: a customer sign-in token signed with the development
/// key, for trying `/self` against the demo. Production tokens come from the operator's
/// identity provider (`serve --jwt-issuer/--jwt-audience/--jwks-file`).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Mint a development sign-in token for a customer (demo only).")
    @OptionGroup var data: DataOptions
    @Option(help: "The customer id.") var customer: String
    @Option(help: "Seconds until it expires.") var lifetime: Int = 3600

    func run() async throws {
        let (database, keys) = try await data.dataDirectory.open()
        guard let found = try await EncryptedCustomerStore(database: database, keys: keys).customer(id: customer) else {
            throw CommandFailure(message: "no customer \(customer)", exitCode: CommandFailure.noInput)
        }
        guard let subject = found.profile.loginSubject else { throw CommandFailure(message: "customer \(customer) has no login subject to sign in with", exitCode: CommandFailure.dataError) }
        let verifier = try await CustomerTokenVerifier.make(try DevelopmentIdentity.settings(dataDir: data.dataDir))
        print(try await verifier.mint(subject: subject, lifetime: TimeInterval(lifetime)))
    }
}

/// The demo's identity provider: an HS256 secret in `<data-dir>/dev-jwt-secret` (mode 0600).
enum DevelopmentIdentity {
    static func settings(dataDir: String) throws -> CustomerIdentitySettings {
        let path = (dataDir as NSString).appendingPathComponent("dev-jwt-secret")
        if !FileManager.default.fileExists(atPath: path) {
            let secret = try SecureRandom.bytes(32)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw ValidationError("cannot create \(path)") }
            let text = Array((Data(secret).base64EncodedString() + "\n").utf8)
            _ = write(fd, text, text.count)
            close(fd)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let secret = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw ValidationError("\(path) is not a base64 secret") }
        return CustomerIdentitySettings(
            issuer: CustomerIdentitySettings.developmentIssuer, audience: CustomerIdentitySettings.developmentAudience,
            hs256Secret: SecureBytes(copying: secret))
    }
}
