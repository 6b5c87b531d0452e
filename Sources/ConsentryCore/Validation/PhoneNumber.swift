/// E.164 telephone numbers: `+`, a country code not starting with 0, at most 15 digits.
public enum PhoneNumber {
    public static func isE164(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count >= 3, bytes.count <= 16, bytes[0] == 0x2B, bytes[1] != 0x30 else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The blind-index form: separators removed (`+33 6 12-34` → `+336 1234`), so that a
    /// search typed with spaces finds the stored number.
    public static func normalize(_ value: String) -> String {
        String(value.filter { $0 == "+" || $0.isASCII && $0.isNumber })
    }
}
