/// Reads a serialized `TensorProto` file (the `input_N.pb` / `output_N.pb` files of the ONNX test suites).
public enum ONNXTensorFile {
    /// The tensor's name (may be empty) and value.
    public static func read(_ path: String) throws -> (name: String, value: ONNXValue) {
        let file = try MappedFile(path: path)
        var reader = ProtoReader(base: file.base, start: 0, end: file.count, path: path)
        let t = try ONNXProto.tensor(&reader)
        var external: [String: MappedFile] = [:]
        let v = try ONNXProto.value(of: t, file: file, directory: nil, externalFiles: &external)
        return (t.name, v)
    }
}
