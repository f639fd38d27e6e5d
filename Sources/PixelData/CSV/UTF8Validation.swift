/// Validates one UTF-8 sequence starting at `p[i]` (where `p[i] >= 0x80`).
/// - Returns: the sequence length (2…4), or 0 when the bytes are not well-formed UTF-8
///   (overlongs, surrogates and values above U+10FFFF are rejected, as in Unicode Table 3-7).
@inline(__always)
func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
    let lead = p[i]
    @inline(__always) func continuation(_ k: Int) -> Bool { i + k < end && p[i + k] & 0xC0 == 0x80 }
    switch lead {
    case 0xC2...0xDF:
        return continuation(1) ? 2 : 0
    case 0xE0:
        return i + 2 < end && (0xA0...0xBF).contains(p[i + 1]) && continuation(2) ? 3 : 0
    case 0xED:
        return i + 2 < end && (0x80...0x9F).contains(p[i + 1]) && continuation(2) ? 3 : 0
    case 0xE1...0xEC, 0xEE...0xEF:
        return continuation(1) && continuation(2) ? 3 : 0
    case 0xF0:
        return i + 3 < end && (0x90...0xBF).contains(p[i + 1]) && continuation(2) && continuation(3) ? 4 : 0
    case 0xF1...0xF3:
        return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
    case 0xF4:
        return i + 3 < end && (0x80...0x8F).contains(p[i + 1]) && continuation(2) && continuation(3) ? 4 : 0
    default:
        return 0
    }
}
