// CheckpointFuzz: structure-aware fuzzing of checkpoint files (`Checkpoint.decode` and what `recommend`,
// `eval` and `train --resume` do with a checkpoint that decodes). Any thrown one-line error is fine; a
// crash, trap, sanitizer report, multi-line message or a decoded checkpoint the model cannot be built
// from is a bug.
//
// An input's first byte picks the mode: `& 3 == 0` feeds the rest as a checkpoint file (raw byte
// mutation); otherwise the rest is a program of edits applied to one of three valid small checkpoints
// built in code — set a JSON header field (any node of the tree) to an extreme value (0, −1, 2^31,
// 2^32, 2^40, Int.max, NaN, 1e400, huge arrays, wrong types…), nudge a number by ±1, delete or
// duplicate a node, copy one node over another, overwrite an optimizer/model float of the payload (the
// checksum resealed), flip a byte or set the header length of the final file.
//   libFuzzer build (scripts/fuzz.sh): -sanitize=fuzzer,address -parse-as-library -DFUZZING
//   normal build: a replay tool, `CheckpointFuzz FILE...`; `CheckpointFuzz --write-seeds DIR` writes seeds.
import Foundation
import FuzzSupport
import PixelConfig
import PixelData
import PixelModels
import PixelOptim
import PixelTensor

// MARK: - Valid base checkpoints

/// A small valid checkpoint: `variant` 0 is pretrained/dot with AdamW state and numeric features,
/// 1 enhanced/pairwise with batch norm, a projection hidden layer and SGD state, 2 as 0 with a hybrid
/// (sequence) user encoder and a content-only item tower.
func makeBase(_ variant: Int) -> Checkpoint {
    var config = ModelConfig()
    config.embeddingDim = 4
    config.numAttentionHeads = 2
    config.fusionHiddenDims = [3]
    if variant == 2 {
        config.userEncoder = .hybrid
        config.itemTower = .content
        config.maxSeqLen = 3
        config.seqBlocks = 1
        config.seqHeads = 2
    }
    if variant == 1 {
        config.modelClass = .enhanced
        config.scoring = .pairwise
        config.useBatchNorm = true
        config.projectionHiddenDim = 3
    }
    let h = try! ModelHyperparameters(
        model: config, seed: 5, userCount: 3, itemCount: 2, visionWidth: 2, textWidth: 3,
        numericWidth: variant == 0 ? 1 : 0)
    let model = PretrainedMultimodalRecommender.make(h)
    let optimizer = variant == 0 ? "adamw" : "sgd"
    var state: [String: [Float]] = ["learning_rate": [0.001]]
    for (name, p) in model.namedParameters() {
        let n = p.value.count
        if variant == 0 {
            state[name + ".exp_avg"] = (0..<n).map { Float($0) * 0.01 }
            state[name + ".exp_avg_sq"] = (0..<n).map { Float($0) * 0.001 }
            state[name + ".step"] = [2]
        } else {
            state[name + ".momentum_buffer"] = (0..<n).map { Float($0) * -0.01 }
        }
    }
    func object(_ value: some Encodable) -> Any {
        try! JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: [.fragmentsAllowed])
    }
    let scalers = ScalerSet(
        scalers: variant == 0 ? [Scaler(column: "price", kind: .standardization, values: [1, 2, 4])] : [])
    let record: [String: Any] = [
        "epoch": 1, "steps": 2, "trainLoss": 0.7, "recommendationLoss": 0.6, "contrastiveLoss": 0.0,
        "pairwiseLoss": 0.1,
        "learningRate": 0.001, "validation": ["ndcg@10": 0.25], "seconds": 0.5, "stepsPerSecond": 4.0,
    ]
    let header: [String: Any] = [
        "format": "pixelrec-checkpoint", "version": 2, "hyperparameters": object(h), "epoch": 1, "globalStep": 2,
        "learningRate": 0.001, "metricName": "ndcg@10", "bestMetric": 0.25, "bestEpoch": 1, "history": [record],
        "finished": false, "configYAML": "", "userKeys": ["u0", "u1", "u2"], "itemKeys": ["i0", "i1"],
        "scalers": object(scalers), "seed": 5, "optimizer": optimizer, "runStarted": 1.7e9, "tensors": [],
        "optimizerState": [], "payloadChecksum": 0,
    ]
    let decoded = try! JSONDecoder().decode(CheckpointHeader.self, from: JSONSerialization.data(withJSONObject: header))
    return Checkpoint(header: decoded, tensors: model.stateDict(), optimizerState: state)
}

nonisolated(unsafe) let bases = [makeBase(0), makeBase(1), makeBase(2)]
/// The bases' JSON header and payload (re-encoded only when an input edits the payload).
/// Kept as byte arrays: LeakSanitizer reports a global's `Data` storage as leaked at exit.
let baseParts = bases.map { base in
    let (json, payload) = split(try! base.encoded())
    return ([UInt8](json), [UInt8](payload))
}

// MARK: - File assembly

/// Splits a checkpoint file into its JSON header and payload (the file is one we made).
func split(_ file: Data) -> (json: Data, payload: Data) {
    let bytes = [UInt8](file)
    var length = 0
    for k in 0..<8 { length |= Int(bytes[8 + k]) << (8 * k) }
    let start = (16 + length + 63) / 64 * 64
    return (Data(bytes[16..<(16 + length)]), Data(bytes[start...]))
}

/// Signature, header length, header, zero padding to 64, payload.
func assemble(json: Data, payload: Data) -> Data {
    var data = Data("PXCKPT01".utf8)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    data.append(Data(count: (data.count + 63) / 64 * 64 - data.count))
    data.append(payload)
    return data
}

// MARK: - Edits

/// Reads the edit program.
struct Program {
    var bytes: ArraySlice<UInt8>
    var isEmpty: Bool { bytes.isEmpty }
    mutating func byte() -> Int { bytes.popFirst().map(Int.init) ?? 0 }
    mutating func u16() -> Int { byte() | byte() << 8 }
    mutating func u64() -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(byte()) << (8 * UInt64($1)) } }
}

/// Placeholders for JSON number tokens JSONSerialization cannot write.
let rawTokens = [
    "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "18446744073709551616", "-9223372036854775809", "1e-400",
]

/// Extreme values a field may be set to.
func extremeValue(_ k: Int, _ program: inout Program) -> Any {
    let numbers: [Any] = [
        0, -1, 1, 2, 3, 4, 7, 64, 65536, 65537, Int(Int32.max), 1 << 31, 1 << 32, (1 << 32) + 1, 1 << 40, 1 << 53,
        Int.max,
        Int.min, -(1 << 31), -(1 << 40), 0.5, -0.5, 0.999999, 1.0, 1e308, -1e308, 1e-300, 16_777_217,
    ]
    let others: [Any] = [
        true, false, NSNull(), "", "x", "pretrained", "enhanced", "pairwise", "dot", "sgd", "adam", "adamw", "relu",
        "pixelrec-checkpoint", String(repeating: "w", count: 2000), "line\nbreak\u{0}", [Any](), [0],
        [1 << 32, 1 << 32],
        [Int.max, 2], [-1, 4], [0, 0], [4, 4, 4], [Int](repeating: 0, count: 5000), [String: Any](), ["a": 1],
        [String](repeating: "k", count: 3000),
    ]
    let all = numbers + others + rawTokens.map { "@@RAW:" + $0 + "@@" }
    let pick = k % (all.count + 1)
    if pick == all.count { return Int(truncatingIfNeeded: program.u64()) }  // any 64-bit integer
    return all[pick]
}

/// Every node of a JSON tree as a path of keys (String) and indices (Int).
func paths(_ node: Any, _ prefix: [Any] = [], into out: inout [[Any]]) {
    out.append(prefix)
    if let object = node as? [String: Any] {
        for key in object.keys.sorted() { paths(object[key]!, prefix + [key], into: &out) }
    } else if let array = node as? [Any], array.count <= 64 {
        for (i, element) in array.enumerated() { paths(element, prefix + [i], into: &out) }
    }
}

func get(_ node: Any, _ path: ArraySlice<Any>) -> Any? {
    guard let head = path.first else { return node }
    if let key = head as? String, let object = node as? [String: Any], let child = object[key] {
        return get(child, path.dropFirst())
    }
    if let index = head as? Int, let array = node as? [Any], array.indices.contains(index) {
        return get(array[index], path.dropFirst())
    }
    return nil
}

/// Replaces (or with `nil` removes) the node at `path`.
func set(_ node: inout Any, _ path: ArraySlice<Any>, _ value: Any?) {
    guard let head = path.first else {
        if let value { node = value }
        return
    }
    if let key = head as? String, var object = node as? [String: Any] {
        if path.count == 1 {
            object[key] = value
        } else if var child = object[key] {
            set(&child, path.dropFirst(), value)
            object[key] = child
        }
        node = object
    } else if let index = head as? Int, var array = node as? [Any], array.indices.contains(index) {
        if path.count == 1 {
            if let value { array[index] = value } else { array.remove(at: index) }
        } else {
            set(&array[index], path.dropFirst(), value)
        }
        node = array
    }
}

/// Serializes the tree, turning raw-token placeholders into the tokens themselves.
func serialize(_ tree: Any) -> Data {
    guard
        var text = (try? JSONSerialization.data(withJSONObject: tree, options: [.fragmentsAllowed, .sortedKeys]))
            .flatMap({ String(data: $0, encoding: .utf8) })
    else { return Data("{".utf8) }
    for token in rawTokens { text = text.replacingOccurrences(of: "\"@@RAW:\(token)@@\"", with: token) }
    return Data(text.utf8)
}

let extremeFloats: [Float] = [.nan, .infinity, -.infinity, -1, 0, 0.5, 1e30, -1e30, 16_777_218, 0x1p62, 0x1p63, 3]

/// Applies the edit program to base `variant` and returns the file's bytes.
func structured(_ input: ArraySlice<UInt8>) -> Data {
    var program = Program(bytes: input)
    let variant = program.byte() % bases.count
    var checkpoint = bases[variant]
    // Payload edits first (the checksum is resealed by encoding).
    let payloadEdits = program.byte() % 3
    for _ in 0..<payloadEdits {
        let value = extremeFloats[program.byte() % extremeFloats.count]
        if program.byte() & 1 == 0 {
            let keys = checkpoint.optimizerState.keys.sorted()
            let key = keys[program.u16() % keys.count]
            var vector = checkpoint.optimizerState[key]!
            vector[program.byte() % vector.count] = value
            checkpoint.optimizerState[key] = vector
        } else {
            let keys = checkpoint.tensors.keys.sorted()
            let key = keys[program.u16() % keys.count]
            var scalars = checkpoint.tensors[key]!.scalars
            scalars[program.byte() % scalars.count] = value
            checkpoint.tensors[key] = .init(shape: checkpoint.tensors[key]!.shape, scalars: scalars)
        }
    }
    let (json, payload) =
        payloadEdits == 0
        ? (Data(baseParts[variant].0), Data(baseParts[variant].1)) : split(try! checkpoint.encoded())
    var tree: Any = try! JSONSerialization.jsonObject(with: json)
    var file: Data? = nil
    while !program.isEmpty {
        var all: [[Any]] = []
        paths(tree, into: &all)
        let op = program.byte()
        let path = all[program.u16() % all.count][...]
        switch op % 8 {
        case 0, 1, 2:
            set(&tree, path, extremeValue(program.u16(), &program))
        case 3:  // nudge a number
            let delta = [1, -1, 64, -64, 4, -4][program.byte() % 6]
            if let n = get(tree, path) as? Int {
                set(&tree, path, n &+ delta)
            } else if let x = get(tree, path) as? Double {
                set(&tree, path, x + Double(delta))
            }
        case 4:  // delete
            if !path.isEmpty { set(&tree, path, nil) }
        case 5:  // duplicate an array element (append a copy)
            if let array = get(tree, path) as? [Any], let first = array.first {
                set(&tree, path, array + [array[program.byte() % array.count], first])
            }
        case 6:  // copy another node here
            let other = all[program.u16() % all.count][...]
            if let value = get(tree, other) { set(&tree, path, value) }
        default:  // byte-level edit of the final file
            var bytes = [UInt8](assemble(json: serialize(tree), payload: payload))
            let kind = program.byte() % 3
            if kind == 0 {
                let position = program.u16() % bytes.count
                bytes[position] ^= UInt8(truncatingIfNeeded: program.byte() | 1)
            } else if kind == 1 {
                let length = [
                    0, 1, UInt64(bytes.count), UInt64(bytes.count - 15), UInt64(bytes.count - 16), UInt64.max,
                    1 << 63, program.u64(),
                ][program.byte() % 8]
                for k in 0..<8 { bytes[8 + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(k))) }
            } else {
                bytes.removeLast(min(bytes.count, program.u16() % 300))
            }
            file = Data(bytes)
        }
        if file != nil { break }
    }
    return file ?? assemble(json: serialize(tree), payload: payload)
}

// MARK: - The checks

/// What one input did: `nil` when it decoded and every consumer ran, else the error line.
@discardableResult
func exercise(_ file: Data) -> String? {
    let checkpoint: Checkpoint
    do {
        checkpoint = try Checkpoint.decode(file, path: "fuzz.ckpt")
    } catch {
        let line = "\(error)"
        precondition(!line.contains("\n") && !line.contains("\r"), "a multi-line error: \(line)")
        return line
    }
    // What recommend, eval and train --resume do next: none of it may fail for a decoded checkpoint.
    let h = checkpoint.header.hyperparameters
    let model: PretrainedMultimodalRecommender
    do {
        model = try checkpoint.model(path: "fuzz.ckpt")
    } catch {
        preconditionFailure("a decoded checkpoint does not build its model: \(error)")
    }
    guard let (users, items) = try? checkpoint.idMaps() else {
        preconditionFailure("a decoded checkpoint's id maps fail")
    }
    precondition(users.count == h.userCount && items.count == h.itemCount)
    let n = 2
    let content = try! ItemContent(
        count: n, vision: [Float](repeating: 0.5, count: n * h.visionWidth), visionWidth: h.visionWidth,
        text: [Float](repeating: -0.25, count: n * h.textWidth), textWidth: h.textWidth,
        numeric: [Float](repeating: 1, count: n * h.numericWidth), numericWidth: h.numericWidth)
    let vectors = model.allItemVectors(content: content, ids: [0, -1])
    precondition(vectors.count == n * h.embeddingDim)
    _ = model.userVectors([Int32(h.userCount - 1)])
    model.startEpoch(checkpoint.header.epoch)
    let optimizer: any Optimizer =
        checkpoint.header.optimizer == .sgd
        ? SGD(
            namedParameters: model.namedParameters(), learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0)
        : AdamW(
            namedParameters: model.namedParameters(), learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
            weightDecay: 0)
    do {
        try optimizer.load(stateDict: checkpoint.optimizerState)
    } catch {
        preconditionFailure("a decoded checkpoint's optimizer state does not load: \(error)")
    }
    return nil
}

func fuzzOne(_ bytes: [UInt8]) {
    guard let mode = bytes.first else { return }
    if mode & 3 == 0 {
        exercise(Data(bytes.dropFirst()))
    } else {
        exercise(structured(bytes.dropFirst()))
    }
}

#if FUZZING
    @_cdecl("CheckpointFuzz_main")
    public func checkpointFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv) { fuzzOne($0) }
    }
#else
    /// `--write-seeds DIR`: the base checkpoints as raw-mode inputs, and a few edit programs.
    func writeSeeds(_ directory: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (k, base) in bases.enumerated() {
            try! (Data([0]) + (try! base.encoded())).write(to: URL(fileURLWithPath: "\(directory)/base-\(k)"))
        }
        let programs: [[UInt8]] = [
            [1, 0, 0], [1, 1, 0], [1, 0, 1, 0, 0, 0, 5, 0], [1, 1, 0, 0, 9, 0, 7, 0], [1, 0, 0, 7, 3, 0, 1],
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
        replayFuzzInputs(tool: "CheckpointFuzz", arguments: arguments) { bytes in
            guard let mode = bytes.first else { return "empty" }
            return exercise(mode & 3 == 0 ? Data(bytes.dropFirst()) : structured(bytes.dropFirst())).map {
                "error: " + $0
            }
        }
    }()
#endif
