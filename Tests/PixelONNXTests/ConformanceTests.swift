import Foundation
import PixelONNX
import Testing

/// Runs one ONNX node test (`model.onnx` + `test_data_set_0/input_N.pb` → `output_N.pb`).
enum NodeTestRunner {
    enum Outcome: Equatable {
        case passed
        case failed(String)
    }

    static func run(_ directory: String) -> Outcome {
        do {
            let model = try ONNXModel(contentsOf: directory + "/model.onnx")
            let data = directory + "/test_data_set_0"
            var feeds: [String: ONNXValue] = [:]
            for (i, d) in model.inputs.enumerated() {
                let path = data + "/input_\(i).pb"
                guard TestPaths.exists(path) else { break }
                feeds[d.name] = try ONNXTensorFile.read(path).value
            }
            let outputs = try model.run(feeds)
            for (i, d) in model.outputs.enumerated() {
                let expected = try ONNXTensorFile.read(data + "/output_\(i).pb").value
                guard let got = outputs[d.name] else { return .failed("output \(d.name) missing") }
                guard got.shape == expected.shape else {
                    return .failed("output \(d.name): shape \(got.shape), expected \(expected.shape)")
                }
                guard got.elementType == expected.elementType else {
                    return .failed("output \(d.name): type \(got.elementType), expected \(expected.elementType)")
                }
                switch got.elementType {
                case .float:
                    if !Compare.allClose(got.floats, expected.floats) {
                        return .failed(
                            "output \(d.name): max abs diff \(Compare.maxAbsDiff(got.floats, expected.floats))")
                    }
                case .int64:
                    if got.int64s != expected.int64s { return .failed("output \(d.name): int64 values differ") }
                case .bool: if got.bools != expected.bools { return .failed("output \(d.name): bool values differ") }
                }
            }
            return .passed
        } catch {
            return .failed("\(error)")
        }
    }

    /// Every node test directory whose name starts with one of `prefixes` (used to refresh the allow-list).
    static func allDirectories() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.nodeTests))?.sorted() ?? []
    }
}

@Suite("ONNX node conformance (libonnx-testdata)")
struct ConformanceTests {
    static var available: Bool { TestPaths.exists(TestPaths.nodeTests) }

    @Test("official node test passes at 1e-4 abs+rel", arguments: ConformanceAllowList.cases)
    func nodeTest(_ name: String) throws {
        guard Self.available else {
            print(
                "skipped: \(TestPaths.nodeTests) is absent (install the Debian package libonnx-testdata; make test does)"
            )
            return
        }
        let outcome = NodeTestRunner.run(TestPaths.nodeTests + "/" + name)
        #expect(outcome == .passed, "\(name): \(outcome)")
    }

    /// Prints passed/total per operator over the allow-list and the documented exclusions.
    @Test("per-operator summary")
    func summary() throws {
        guard Self.available else {
            print("skipped: \(TestPaths.nodeTests) is absent")
            return
        }
        if ProcessInfo.processInfo.environment["ONNX_CONFORMANCE_ALL"] != nil {
            // Discovery mode: run every node test and print the ones that pass (to refresh the allow-list).
            var passing: [String] = []
            for d in NodeTestRunner.allDirectories() {
                let outcome = NodeTestRunner.run(TestPaths.nodeTests + "/" + d)
                if outcome == .passed { passing.append(d) } else { print("FAIL \(d): \(outcome)") }
            }
            print("PASSING \(passing.count): " + passing.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        var perOp: [String: (passed: Int, total: Int)] = [:]
        for (op, cases) in ConformanceAllowList.byOperator {
            var passed = 0
            for c in cases where NodeTestRunner.run(TestPaths.nodeTests + "/" + c) == .passed { passed += 1 }
            perOp[op] = (passed, cases.count)
        }
        let lines = perOp.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.passed)/\($0.value.total)" }
        print("ONNX conformance per operator: " + lines.joined(separator: ", "))
        #expect(perOp.values.allSatisfy { $0.passed == $0.total })
    }
}
