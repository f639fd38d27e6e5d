import Foundation

/// Number parsing straight from field bytes (no `String` per field).
enum ByteParsing {
    /// Trims ASCII spaces and tabs at both ends.
    @inline(__always)
    static func trimmed(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0, upper = field.count
        while lower < upper && (field[lower] == 32 || field[lower] == 9) { lower += 1 }
        while upper > lower && (field[upper - 1] == 32 || field[upper - 1] == 9) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: field[lower..<upper])
    }

    /// An integer, also accepting a zero fraction (`874965478.0`) and a finite decimal (truncated
    /// toward zero, e.g. `1.5e9`). `nil` when the field is not a number.
    @inline(__always)
    static func int64(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        let field = trimmed(raw)
        let n = field.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if field[0] == UInt8(ascii: "-") || field[0] == UInt8(ascii: "+") {
            negative = field[0] == UInt8(ascii: "-")
            i = 1
        }
        var value: Int64 = 0
        let digitsStart = i
        while i < n, field[i] &- 48 < 10, i - digitsStart < 18 {
            value = value &* 10 &+ Int64(field[i] &- 48)
            i += 1
        }
        if i == n && i > digitsStart { return negative ? -value : value }
        // Zero fraction: "123.000".
        if i > digitsStart && i < n && field[i] == UInt8(ascii: ".") {
            var k = i + 1
            while k < n && field[k] == UInt8(ascii: "0") { k += 1 }
            if k == n { return negative ? -value : value }
        }
        guard let double = self.double(field), double.isFinite, abs(double) < 9e18 else { return nil }
        return Int64(double)
    }

    /// A decimal or scientific number; `nil` when the field is empty or not a number.
    /// `nan`/`inf` spellings are rejected.
    @inline(__always)
    static func double(_ raw: UnsafeBufferPointer<UInt8>) -> Double? {
        let field = trimmed(raw)
        let n = field.count
        guard n > 0, n < 64 else { return nil }
        var i = 0
        var negative = false
        if field[0] == UInt8(ascii: "-") || field[0] == UInt8(ascii: "+") {
            negative = field[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < n, field[i] &- 48 < 10 {
            if digits < 18 {
                mantissa = mantissa * 10 + UInt64(field[i] &- 48); digits += mantissa > 0 ? 1 : 0
            } else {
                exponent += 1
            }
            sawDigit = true
            i += 1
        }
        if i < n && field[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, field[i] &- 48 < 10 {
                if digits < 18 {
                    mantissa = mantissa * 10 + UInt64(field[i] &- 48)
                    digits += mantissa > 0 ? 1 : 0
                    exponent -= 1
                }
                sawDigit = true
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n && (field[i] == UInt8(ascii: "e") || field[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < n && (field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+")) {
                expNegative = field[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0
            let start = i
            while i < n, field[i] &- 48 < 10 {
                if value < 10000 { value = value * 10 + Int(field[i] &- 48) }
                i += 1
            }
            guard i > start else { return nil }
            exponent += expNegative ? -value : value
        }
        guard i == n else { return nil }
        var result: Double
        if exponent == 0 {
            result = Double(mantissa)
        } else if exponent > 0 && exponent <= 22 && mantissa < (1 << 53) {
            result = Double(mantissa) * pow10[exponent]
        } else if exponent < 0 && exponent >= -22 && mantissa < (1 << 53) {
            result = Double(mantissa) / pow10[-exponent]  // exact: both operands exact, one rounding
        } else {
            // Rare: fall back to strtod for correct rounding.
            var buffer = [CChar](repeating: 0, count: n + 1)
            for k in 0..<n { buffer[k] = CChar(bitPattern: field[k]) }
            result = strtod(buffer, nil)
            return result
        }
        return negative ? -result : result
    }

    static let pow10: [Double] = (0...22).map { pow(10.0, Double($0)) }
}
