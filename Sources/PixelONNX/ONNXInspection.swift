import Foundation

/// Human-readable reports and the `.npy` runner behind `pixelrec onnx inspect|run`.
public enum ONNXInspection {
    /// A report of a model: producer, IR/opset, inputs and outputs with types and shapes, op counts,
    /// parameter count, and the node count after folding and fusion.
    public static func report(_ modelPath: String) throws -> String {
        let model = try ONNXModel(contentsOf: modelPath)
        return report(model)
    }

    /// The report for an already loaded model.
    public static func report(_ model: ONNXModel) -> String {
        var lines: [String] = []
        lines.append("model: \(model.path)")
        lines.append("producer: \(model.producer.isEmpty ? "unknown" : model.producer), IR version \(model.irVersion)")
        let opsets = model.opsets.sorted { $0.key < $1.key }.map {
            "\($0.key.isEmpty ? "ai.onnx" : $0.key) \($0.value)"
        }
        lines.append("opset: \(opsets.joined(separator: ", "))")
        lines.append("inputs:")
        for i in model.inputs { lines.append("  \(i.name): \(i.typeDescription)") }
        lines.append("outputs:")
        for o in model.outputs { lines.append("  \(o.name): \(o.typeDescription)") }
        let total = model.operatorCounts.values.reduce(0, +)
        lines.append(
            "operators (\(total) nodes, \(model.operatorCounts.count) types; \(model.preparedNodeCount) after folding and fusion):"
        )
        for (op, n) in model.operatorCounts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key })
        {
            lines.append("  \(op.padding(toLength: max(op.count, 20), withPad: " ", startingAt: 0)) \(n)")
        }
        lines.append("parameters: \(model.parameterCount) (\(formatCount(model.parameterCount)))")
        return lines.joined(separator: "\n")
    }

    static func formatCount(_ n: Int) -> String {
        if n >= 1_000_000 { return String(format: "%.2fM", Double(n) / 1e6) }
        if n >= 1_000 { return String(format: "%.1fk", Double(n) / 1e3) }
        return "\(n)"
    }

    /// Runs `modelPath` on `.npy` inputs (`name → file`) and writes each output to `outputDirectory/<name>.npy`
    /// (characters other than letters, digits, `-`, `_`, `.` in output names become `_`).
    /// Returns the written paths in output order.
    @discardableResult
    public static func run(modelPath: String, inputs: [String: String], outputDirectory: String, threads: Int = 1)
        throws -> [String]
    {
        let model = try ONNXModel(contentsOf: modelPath)
        model.threads = threads
        var feeds: [String: ONNXValue] = [:]
        for (name, file) in inputs {
            var value = try NumpyArray.read(file)
            // Integer npy files (e.g. int32 ids) feed int64 inputs; float64 feeds float inputs (both converted on read).
            if let d = model.inputs.first(where: { $0.name == name }), let t = d.elementType, t != value.elementType {
                if t == .float && value.elementType == .int64 {
                    value = try ONNXValue(floats: value.floats, shape: value.shape)
                } else if t == .bool {
                    value = try ONNXValue(bools: value.bools, shape: value.shape)
                }
            }
            feeds[name] = value
        }
        let outputs = try model.run(feeds)
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw ONNXError.io(path: outputDirectory, reason: "cannot create directory (\(error.localizedDescription))")
        }
        var written: [String] = []
        for d in model.outputs {
            guard let v = outputs[d.name] else { continue }
            let safe = String(
                d.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
            let path = (outputDirectory as NSString).appendingPathComponent(safe + ".npy")
            try NumpyArray.write(v, to: path)
            written.append(path)
        }
        return written
    }
}
