// FeatureStoreFuzz: structure-aware fuzzing of the three binary vector files — the item feature store
// (`.pxfs`, `FeatureStore(data:path:)`), the embeddings cache (`.pxiv`, `ItemVectorCache.lookup`) and the
// hidden-state cache of a trainable text top (`.pxhs`, `HiddenStateCache(data:path:)` then `batch`).
// Any thrown one-line error (or a cache found invalid or stale) is fine; a crash, trap, sanitizer report
// or multi-line message is a bug, and so is a store or cache hit whose rows do not match its header.
//
// An input's first byte picks the file (≥ 0xC0: the hidden-state cache, so the older seeds keep their
// meaning; else bit 0: store or cache) and the mode (bit 1: raw bytes or edits).
// Raw: the rest is the file. Edits: the rest is a program applied to a valid file built in code — set a
// header field (count, dimension, offsets, lengths, hashes, checksum, …) to an extreme value (0, 1,
// 2^31, 2^32, 2^40, Int.max, UInt64.max, the file size ± k, its value ± 1, any 64 bits), set an id
// length, flip a byte, truncate or extend the file, and optionally fix the length field up afterwards.
//   libFuzzer build (scripts/fuzz.sh): -sanitize=fuzzer,address -parse-as-library -DFUZZING
//   normal build: a replay tool, `FeatureStoreFuzz FILE...`; `FeatureStoreFuzz --write-seeds DIR` writes seeds.
import Foundation
import FuzzSupport
import PixelEncoders
import PixelModels

// MARK: - Valid base files

/// A store of 3 items × 4 dimensions (one flagged missing), written through the real writer.
let baseStore: [UInt8] = {
    let path = NSTemporaryDirectory() + "featurestorefuzz-\(getpid()).pxfs"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try! FeatureStore.write(
        identity: EncoderIdentity(name: "builtin-text", modality: .text, dimension: 4, modelHash: "h1"),
        ids: ["a", "item-2", "ü"], rows: (0..<12).map { Float($0) - 5 }, missing: [false, true, false], to: path)
    return [UInt8](FileManager.default.contents(atPath: path)!)
}()

/// A hidden-state cache of 3 items (lengths 2, 0, 1) × T = 2 × E = 3, written through the real writer.
let baseHidden: [UInt8] = {
    let path = NSTemporaryDirectory() + "featurestorefuzz-\(getpid()).pxhs"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try! HiddenStateCache.write(
        identity: HiddenStateCache.Identity(encoder: "sentence-bert", modelHash: "h1", cut: "/layer.1/out"), width: 3,
        length: 2, ids: ["a", "item-2", "ü"], lengths: [2, 0, 1], to: path
    ) { put in
        try [Float](repeating: 0.5, count: 6).withUnsafeBufferPointer { try put(0, $0) }
        try [Float](repeating: -2, count: 3).withUnsafeBufferPointer { try put(2, $0) }
    }
    return [UInt8](FileManager.default.contents(atPath: path)!)
}()

let cacheKey = ItemVectorCache.Key(checkpointHash: 0xC0FFEE, inputsHash: 77, count: 3, dimension: 4)
let baseCache = [UInt8](ItemVectorCache.encoded((0..<12).map { Float($0) * 0.5 }, key: cacheKey))

/// Header fields (offset, width) of each format.
let storeFields = [
    (8, 4), (12, 4), (16, 8), (24, 1), (25, 1), (26, 2), (28, 2), (30, 2), (32, 8), (40, 8), (48, 8), (56, 8),
]
let cacheFields = [(0, 8), (8, 8), (16, 8), (24, 8), (32, 8), (40, 8), (48, 8), (56, 8)]
let hiddenFields = [
    (8, 4), (12, 4), (16, 4), (20, 4), (24, 8), (32, 2), (34, 2), (36, 2), (38, 2), (40, 8), (48, 8), (56, 8), (64, 8),
]

/// Which of the three formats an input exercises.
enum FileKind {
    case store, cache, hidden

    init(mode: UInt8) { self = mode >= 0xC0 ? .hidden : mode & 1 == 0 ? .store : .cache }
}

// MARK: - Edits

struct Program {
    var bytes: ArraySlice<UInt8>
    var isEmpty: Bool { bytes.isEmpty }
    mutating func byte() -> Int { bytes.popFirst().map(Int.init) ?? 0 }
    mutating func u16() -> Int { byte() | byte() << 8 }
    mutating func u64() -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(byte()) << (8 * UInt64($1)) } }
}

func read(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
    (0..<width).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
}

func write(_ bytes: inout [UInt8], _ offset: Int, _ width: Int, _ value: UInt64) {
    for k in 0..<width { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
}

/// An extreme value for a field whose current value is `current` in a file of `size` bytes.
func extreme(_ k: Int, current: UInt64, size: Int, _ program: inout Program) -> UInt64 {
    let s = UInt64(size)
    let values: [UInt64] = [
        0, 1, 2, 3, 4, 63, 64, 65, 255, 0xFFFF, 0x1_0000, UInt64(Int32.max), 1 << 31, (1 << 32) - 1, 1 << 32, 1 << 40,
        1 << 62, UInt64(Int.max), UInt64(Int.max) - 63, UInt64(Int.max) / 4, UInt64(Int.max) / 9, UInt64.max, 1 << 20,
        (1 << 20) + 1, current &+ 1, current &- 1, current &* 2, current / 2, s, s &- 1, s &+ 1, s &- 64, s / 4, s / 9,
    ]
    let pick = k % (values.count + 1)
    return pick == values.count ? program.u64() : values[pick]
}

func structured(_ kind: FileKind, _ input: ArraySlice<UInt8>) -> [UInt8] {
    var program = Program(bytes: input)
    let store = kind == .store
    var bytes = kind == .store ? baseStore : kind == .cache ? baseCache : baseHidden
    let fields = kind == .store ? storeFields : kind == .cache ? cacheFields : hiddenFields
    var fixLength = false
    while !program.isEmpty {
        let op = program.byte()
        switch op % 8 {
        case 0, 1, 2, 3:  // a header field to an extreme value
            let (offset, width) = fields[program.byte() % fields.count]
            guard offset + width <= bytes.count else { continue }
            write(
                &bytes, offset, width,
                extreme(program.byte(), current: read(bytes, offset, width), size: bytes.count, &program))
        case 4:  // flip a byte anywhere
            guard !bytes.isEmpty else { continue }
            bytes[program.u16() % bytes.count] ^= UInt8(truncatingIfNeeded: program.byte() | 1)
        case 5:  // truncate or extend
            let n = program.u16() % 256
            if program.byte() & 1 == 0 {
                bytes.removeLast(min(n, bytes.count))
            } else {
                bytes += [UInt8](repeating: 0, count: n)
            }
        case 6:  // a store's id length (the k-th length prefix found by walking the ids), or a float of the payload
            if store, bytes.count >= 64 {
                var cursor = Int(truncatingIfNeeded: read(bytes, 48, 8))
                // `cursor` comes from the file: compare without adding to it (it may be near Int.max).
                for _ in 0..<(program.byte() % 3) where cursor >= 0 && cursor <= bytes.count - 4 {
                    cursor += 4 + Int(read(bytes, cursor, 4))
                }
                if cursor >= 0, cursor <= bytes.count - 4 {
                    write(&bytes, cursor, 4, [0, 1, 0xFFFF_FFFF, 1 << 31, UInt64(bytes.count)][program.byte() % 5])
                }
            } else if bytes.count > 64 {
                let at = 64 + (program.u16() * 4) % max(1, bytes.count - 64)
                if at + 4 <= bytes.count { write(&bytes, at, 4, UInt64(Float.nan.bitPattern)) }
            }
        default:
            fixLength = true
        }
    }
    if fixLength, store, bytes.count >= 64 { write(&bytes, 56, 8, UInt64(bytes.count)) }
    if fixLength, kind == .hidden, bytes.count >= 72 { write(&bytes, 64, 8, UInt64(bytes.count)) }
    return bytes
}

// MARK: - The checks

/// What one input did: `nil` when the file was accepted and read, else the error or lookup outcome.
@discardableResult
func exercise(_ kind: FileKind, _ bytes: [UInt8]) -> String? {
    let data = Data(bytes)
    if kind == .hidden {
        let cache: HiddenStateCache
        do {
            cache = try HiddenStateCache(data: data, path: "fuzz.pxhs")
        } catch {
            let line = "\(error)"
            precondition(!line.contains("\n") && !line.contains("\r"), "a multi-line error: \(line)")
            return line
        }
        precondition(cache.ids.count == cache.count && cache.lengths.count == cache.count)
        precondition(cache.lengths.allSatisfy { (0...cache.length).contains($0) })
        var outcome: String? = nil
        for rows in [Array(0..<cache.count), Array((0..<cache.count).reversed()), []] {
            do {
                let (states, mask, l) = try cache.batch(rows)
                precondition(l >= 1 && l <= cache.length || rows.isEmpty && l == 1)
                precondition(states.count == rows.count * l * cache.width && mask.count == rows.count * l)
                precondition(states.allSatisfy(\.isFinite), "a non-finite state read back")
            } catch {
                let line = "\(error)"
                precondition(!line.contains("\n") && !line.contains("\r"), "a multi-line error: \(line)")
                outcome = line
            }
        }
        return outcome
    }
    if kind == .store {
        let fileStore: FeatureStore
        do {
            fileStore = try FeatureStore(data: data, path: "fuzz.pxfs")
        } catch {
            let line = "\(error)"
            precondition(!line.contains("\n") && !line.contains("\r"), "a multi-line error: \(line)")
            return line
        }
        let d = fileStore.dimension
        precondition(fileStore.ids.count == fileStore.count && fileStore.flags.count == fileStore.count)
        let sum = fileStore.withRows { rows -> Float in
            precondition(rows.count == fileStore.count * d)
            return rows.reduce(0, +)
        }
        _ = sum
        for i in 0..<fileStore.count { _ = fileStore.isMissing(i) }
        if let first = fileStore.ids.first { precondition(fileStore.vector(for: first)?.count == d) }
        let (rows, present) = fileStore.matrix(for: fileStore.ids + ["not stored"])
        precondition(rows.count == (fileStore.count + 1) * d && present.count == fileStore.count + 1)
        return nil
    }
    // The base key, and the key the file's own header claims (so the checksum and copy are reached).
    var keys = [cacheKey]
    if bytes.count >= 40 {
        keys.append(
            ItemVectorCache.Key(
                checkpointHash: read(bytes, 8, 8), inputsHash: read(bytes, 16, 8),
                count: Int(truncatingIfNeeded: read(bytes, 24, 8)),
                dimension: Int(truncatingIfNeeded: read(bytes, 32, 8))))
    }
    var outcome: String? = nil
    for key in keys {
        switch ItemVectorCache.lookup(data, key: key) {
        case let .hit(vectors):
            precondition(vectors.count == key.count * key.dimension, "a cache hit of the wrong size")
        case let .invalid(field, reason):
            precondition(!(field + reason).contains("\n"), "a multi-line reason")
            outcome = "invalid: \(field): \(reason)"
        case let .stale(reason):
            outcome = outcome ?? "stale: \(reason)"
        case .missing:
            preconditionFailure("lookup of bytes cannot be missing")
        }
    }
    return outcome
}

func fuzzOne(_ bytes: [UInt8]) {
    guard let mode = bytes.first else { return }
    let kind = FileKind(mode: mode)
    if mode & 2 == 0 {
        exercise(kind, Array(bytes.dropFirst()))
    } else {
        exercise(kind, structured(kind, bytes.dropFirst()))
    }
}

#if FUZZING
    @_cdecl("FeatureStoreFuzz_main")
    public func featureStoreFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt
    {
        runLibFuzzer(argc, argv) { fuzzOne($0) }
    }
#else
    /// `--write-seeds DIR`: the valid files as raw-mode inputs, and a few edit programs.
    func writeSeeds(_ directory: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try! Data([0] + baseStore).write(to: URL(fileURLWithPath: directory + "/store"))
        try! Data([1] + baseCache).write(to: URL(fileURLWithPath: directory + "/cache"))
        try! Data([0xC0] + baseHidden).write(to: URL(fileURLWithPath: directory + "/hidden"))
        let programs: [[UInt8]] = [
            [2, 0, 2, 12], [3, 0, 3, 12], [2, 0, 8, 18, 7], [3, 1, 5, 30], [2, 6, 1, 2, 7], [0xC2, 0, 4, 12, 7],
            [0xC2, 4, 200, 0, 1], [0xC2, 6, 16, 0],
        ]
        for (k, program) in programs.enumerated() {
            try! Data(program).write(to: URL(fileURLWithPath: "\(directory)/edit-\(k)"))
        }
    }
    // A global's initializer, not a statement: top-level statements do not parse under -parse-as-library.
    let replayed: Void = {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--write-seeds", arguments.count == 2 {
            writeSeeds(arguments[1])
            exit(0)
        }
        replayFuzzInputs(tool: "FeatureStoreFuzz", arguments: arguments) { bytes in
            guard let mode = bytes.first else { return "empty" }
            let kind = FileKind(mode: mode)
            let file = mode & 2 == 0 ? Array(bytes.dropFirst()) : structured(kind, bytes.dropFirst())
            return exercise(kind, file).map { "rejected: " + $0 }
        }
    }()
#endif
