import ConsentryCore
import Foundation
import Testing

@Suite("Field codec, JSON strictness, CSV parsing")
struct CodecAndParsingTests {
    static let profile = CustomerProfile(
        engagedParty: .individual(Individual(
            title: "Dr", givenName: "Łukasz", middleName: "Jan", familyName: "Wiśniewski", birthDate: "1980-05-01", gender: "male",
            nationality: "PL", preferredLanguage: "pl",
            individualIdentification: [Identification(identificationType: "nationalId", identificationId: "80050112345", issuingAuthority: "PL")])),
        contactMedium: [
            ContactMedium(mediumType: .email, preferred: true, characteristic: .init(emailAddress: "l.w@example.com")),
            ContactMedium(id: "home", mediumType: .postalAddress, characteristic: .init(street1: "ulica \"Długa\" 1\\2\nlok. 3\t\u{1}", city: "Gdańsk", postCode: "80-001", country: "PL")),
        ],
        characteristic: [Characteristic(name: "segment", value: "premium")],
        relatedParty: [RelatedParty(id: "c-1", role: "accountOwner")],
        loginSubject: "idp|42")

    @Test("a characteristic keeps a number or boolean value with its valueType and gives it back typed")
    func typedCharacteristics() throws {
        let decoded = try JSONDecoder().decode([Characteristic].self, from: Data(#"""
            [{"name":"lines","value":3},{"name":"vip","value":true},{"name":"score","valueType":"number","value":"2.5"},
             {"@type":"Characteristic","name":"segment","value":"youth"}]
            """#.utf8))
        #expect(decoded.map(\.valueType) == ["integer", "boolean", "number", nil])
        #expect(decoded.map(\.value) == ["3", "true", "2.5", "youth"])
        #expect(Characteristic.typedValue("3", valueType: "integer") == .number("3"))
        #expect(Characteristic.typedValue("true", valueType: "boolean") == .bool(true))
        #expect(Characteristic.typedValue("***", valueType: "integer") == .string("***"), "a masked value stays text")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Characteristic.self, from: Data(#"{"name":"x","value":{"a":1}}"#.utf8)) }
    }

    @Test("merge patch: RFC 7386's own examples, member by member")
    func mergePatch() throws {
        // RFC 7386 appendix A: target, patch, result.
        let cases: [(String, String, String)] = [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"a":"foo"}"#, "null", "null"),
            (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ]
        for (target, patch, result) in cases {
            let merged = JSONMergePatch.apply(try JSONValue.parse(Array(patch.utf8)), to: try JSONValue.parse(Array(target.utf8)))
            #expect(merged == (try JSONValue.parse(Array(result.utf8))), "\(target) + \(patch)")
        }
    }

    @Test("an indented JSON document keeps member order and parses back to the same value")
    func indentedJSON() throws {
        let value = try JSONValue.parse(Array(#"{"b":[1,{"x":"é\n"}],"a":{},"c":[],"d":null}"#.utf8))
        #expect(value.indented == """
            {
              "b": [
                1,
                {
                  "x": "é\\n"
                }
              ],
              "a": {},
              "c": [],
              "d": null
            }
            """)
        #expect(try JSONValue.parse(Array(value.indented.utf8)) == value)
    }

    @Test("A profile splits into one field per value and decodes back equal")
    func roundTrip() throws {
        let fields = try PersonalFieldCodec.encode(Self.profile)
        #expect(Set(fields.map(\.path)).count == fields.count)
        #expect(fields.map(\.path.rawValue).contains("contactMedium.home"))
        #expect(fields.map(\.path.rawValue).contains("contactMedium.1"))
        let decoded = try PersonalFieldCodec.decode(partyType: .individual, fields: Dictionary(uniqueKeysWithValues: fields.map { ($0.path, $0.value) }))
        var expected = Self.profile
        expected.contactMedium = PersonalFieldCodec.withMediumIds(expected.contactMedium)
        #expect(decoded == expected)
        #expect(throws: PersonalFieldCodec.Error.missingField("engagedParty.givenName")) {
            try PersonalFieldCodec.decode(partyType: .individual, fields: [:])
        }
    }

    @Test("Printing a customer profile never shows its values")
    func redaction() {
        let text = "\(Self.profile) \(String(reflecting: Self.profile))"
        #expect(!text.contains("Łukasz") && !text.contains("l.w@example.com") && !text.contains("80050112345"))
        var dumped = ""
        dump(Self.profile, to: &dumped)
        #expect(!dumped.contains("Łukasz"))
    }

    @Test("Unknown JSON fields are rejected with their path")
    func strictJSON() throws {
        let json = #"{"engagedParty":{"@type":"Individual","givenName":"A","familyName":"B"},"contactMedium":[{"mediumType":"email","characteristic":{"emailAddress":"a@example.com","fax":"1"}}]}"#
        do {
            _ = try JSONDecoder().decode(CustomerDraft.self, from: Data(json.utf8))
            Issue.record("an unknown field was accepted")
        } catch let error as DecodingError {
            let issue = try #require(ValidationError(decoding: error).issues.first)
            #expect(issue.path == "contactMedium[0].characteristic.fax")
            #expect(issue.code == "unknown_field")
        }
    }

    @Test("CSV: quotes, doubled quotes, commas and line breaks inside fields, CRLF, line numbers")
    func csv() throws {
        var parser = CSVParser()
        let lines = ["a,b,c\r", #""x, y","say ""hi""","multi"#, #"line""#, "plain,,end"]
        var records: [CSVParser.Record] = []
        for (index, line) in lines.enumerated() {
            if let record = try parser.feed(Substring(line).utf8, lineNumber: index + 1) { records.append(record) }
        }
        try parser.finish()
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", #"say "hi""#, "multi\nline"], ["plain", "", "end"]])
        #expect(records.map(\.line) == [1, 2, 4])
        var broken = CSVParser()
        #expect(throws: CSVParser.ParseError.strayQuote(line: 7)) { try broken.feed(Substring(#"ab"c,d"#).utf8, lineNumber: 7) }
        var open = CSVParser()
        _ = try open.feed(Substring(#""never closed"#).utf8, lineNumber: 3)
        #expect(throws: CSVParser.ParseError.unterminatedQuote(line: 3)) { try open.finish() }
    }
}

@Suite("Duplicate keys in JSON bodies")
struct JSONDuplicateKeysTests {
    @Test("a key given twice in one object is found with its path; the same key in different objects is not a duplicate")
    func duplicates() {
        #expect(JSONDuplicateKeys.first(in: Array(#"{"status":"given","status":"withdrawn"}"#.utf8)) == "status")
        #expect(JSONDuplicateKeys.first(in: Array(#"{"a":{"b":1,"c":[{"d":1},{"d":2,"d":3}]}}"#.utf8)) == "a.c[1].d")
        #expect(JSONDuplicateKeys.first(in: Array(#"{"a":{"x":1},"b":{"x":1},"s":"{\"x\":1,\"x\":2}"}"#.utf8)) == nil)
        #expect(JSONDuplicateKeys.first(in: Array(#"[{"k":1},{"k":2}]"#.utf8)) == nil)
        #expect(JSONDuplicateKeys.first(in: Array(#"{"k":"a\"b","k2":true,"n":null,"k":1}"#.utf8)) == "k")
        #expect(JSONDuplicateKeys.first(in: Array(#"{"broken":"#.utf8)) == nil)  // malformed: the decoder reports it
    }
}
