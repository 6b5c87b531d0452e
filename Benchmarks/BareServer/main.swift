// consentry-bare PORT: the baseline for Benchmarks/api.sh. A bare Hummingbird 2 route that
// returns a customer-shaped JSON of about the same size as a guarded GET, with no
// authentication, decision, decryption, masking or audit: what the framework alone costs
// on this machine. It also answers POST /events with 204: a module's event endpoint that
// costs nothing, for Benchmarks/self.sh.
import Hummingbird
import NIOCore

let port = Int(CommandLine.arguments.dropFirst().first ?? "18482") ?? 18482
let body = ByteBuffer(string: """
    {"id":"0191f2a4-5b6c-7d8e-9f00-112233445566","href":"/tmf-api/customerManagement/v4/customer/0191f2a4-5b6c-7d8e-9f00-112233445566",\
    "@type":"Customer","externalId":"LEG-0000019","status":"active","version":1,"createdAt":"2026-11-27T07:35:28Z","updatedAt":"2026-11-27T07:35:28Z",\
    "engagedParty":{"@type":"Individual","givenName":"Zofia","familyName":"Wójcik","birthDate":"2005-**-**","preferredLanguage":"pl-PL",\
    "individualIdentification":[{"identificationId":"***598","identificationType":"nationalId","issuingAuthority":"PL"}]},\
    "contactMedium":[{"characteristic":{"emailAddress":"zofia.wojcik.19@example.com"},"id":"1","mediumType":"email","preferred":true},\
    {"characteristic":{"phoneNumber":"+48521736356"},"id":"2","mediumType":"mobile","preferred":false},\
    {"characteristic":{"city":"Kraków","country":"PL","postCode":"30-001","street1":"33 ulica Długa"},"id":"3","mediumType":"postalAddress","preferred":false}],\
    "privacyDecision":{"purpose":"customer-care","policyVersion":"sha256:1cda10f76ace5eae","outcome":"partial","masked":["engagedParty.birthDate"],\
    "withheld":[{"field":"engagedParty.gender","reason":"CATEGORY_NOT_IN_PURPOSE"}]}}
    """)
let router = Router()
router.get("tmf-api/customerManagement/v4/customer/{id}") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
router.post("events") { request, _ in
    _ = try await request.body.collect(upTo: 1 << 20)
    return Response(status: .noContent)
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bare"))
try await app.runService()
