import Dispatch
import Foundation

/// A node of the prepared graph: names of its values plus the kernel built for it at load.
struct GraphNode {
    var name: String
    var opType: String
    var domain: String
    var inputs: [String]
    var outputs: [String]
    var kernel: Kernel
    /// The load-time context (attributes), kept so optimizations can rebuild the kernel.
    var context: NodeContext?
}

/// A compiled, ordered list of kernels over integer value slots.
///
/// Slot values are dropped right after their last use, so peak memory follows the live set.
final class ExecutionPlan: @unchecked Sendable {
    struct Step {
        let node: GraphNode
        let inputs: [Int]  // -1: omitted optional input
        let outputs: [Int]  // -1: unused output
        let release: [Int]  // slots whose last use is this step
    }

    let steps: [Step]
    let slotCount: Int
    let constants: [(slot: Int, value: ONNXValue)]
    let inputSlots: [(name: String, slot: Int)]
    let outputSlots: [(name: String, slot: Int)]
    let slotNames: [String]

    /// Builds a plan over `nodes` (already in topological order).
    init(nodes: [GraphNode], constants: [String: ONNXValue], inputs: [String], outputs: [String]) throws {
        var slot: [String: Int] = [:]
        var names: [String] = []
        func slotFor(_ name: String) -> Int {
            if let s = slot[name] { return s }
            slot[name] = names.count
            names.append(name)
            return names.count - 1
        }
        for name in inputs { _ = slotFor(name) }
        var constantSlots: [(Int, ONNXValue)] = []
        // Only constants that something reads get a slot.
        var used = Set(outputs)
        for n in nodes { for i in n.inputs where !i.isEmpty { used.insert(i) } }
        for (name, value) in constants where used.contains(name) && !inputs.contains(name) {
            constantSlots.append((slotFor(name), value))
        }
        var defined = Set(inputs).union(constants.keys.filter { used.contains($0) })
        var stepInputs: [[Int]] = [], stepOutputs: [[Int]] = []
        for n in nodes {
            var ins: [Int] = []
            for i in n.inputs {
                if i.isEmpty { ins.append(-1); continue }
                guard defined.contains(i) else {
                    throw ONNXError.invalidGraph(reason: "node '\(n.name)' reads undefined value '\(i)'")
                }
                ins.append(slotFor(i))
            }
            var outs: [Int] = []
            for o in n.outputs {
                if o.isEmpty { outs.append(-1); continue }
                outs.append(slotFor(o))
                defined.insert(o)
            }
            stepInputs.append(ins)
            stepOutputs.append(outs)
        }
        for o in outputs where !defined.contains(o) {
            throw ONNXError.invalidGraph(reason: "graph output '\(o)' is never produced")
        }
        // Last use of every slot (graph outputs and constants are never released).
        var lastUse = [Int](repeating: -1, count: names.count)
        for (k, ins) in stepInputs.enumerated() { for s in ins where s >= 0 { lastUse[s] = k } }
        for (k, outs) in stepOutputs.enumerated() { for s in outs where s >= 0 && lastUse[s] < k { lastUse[s] = k } }
        var keep = Set(outputs.compactMap { slot[$0] })
        for (s, _) in constantSlots { keep.insert(s) }
        var release = [[Int]](repeating: [], count: nodes.count)
        for s in 0..<names.count where !keep.contains(s) && lastUse[s] >= 0 { release[lastUse[s]].append(s) }
        steps = nodes.indices.map {
            Step(node: nodes[$0], inputs: stepInputs[$0], outputs: stepOutputs[$0], release: release[$0])
        }
        slotCount = names.count
        self.constants = constantSlots
        inputSlots = inputs.map { ($0, slot[$0] ?? 0) }
        outputSlots = outputs.compactMap { name in slot[name].map { (name, $0) } }
        slotNames = names
    }

    /// Records, during one run, which slots depend only on the input shapes, and their values.
    final class ShapeTracker {
        var shapeOnly: [Bool]
        var values: [Int: ONNXValue] = [:]
        /// Every value's shape in this run (inputs included).
        var shapes: [Int: [Int]] = [:]
        init(count: Int) { shapeOnly = [Bool](repeating: false, count: count) }
    }

    /// Runs the plan; `tracker`, when given, records shape-only values for specialization.
    func run(_ feeds: [String: ONNXValue], tracker: ShapeTracker? = nil, profile: OperatorProfile? = nil) throws
        -> [String: ONNXValue]
    {
        var slots = [ONNXValue?](repeating: nil, count: slotCount)
        for (s, v) in constants { slots[s] = v; tracker?.shapeOnly[s] = true }
        for (name, s) in inputSlots {
            slots[s] = feeds[name]
            if let tracker, let v = feeds[name] { tracker.shapes[s] = v.shape }
        }
        for step in steps {
            let args = step.inputs.map { $0 >= 0 ? slots[$0] : nil }
            for (k, s) in step.inputs.enumerated() where s >= 0 && args[k] == nil {
                throw ONNXError.invalidGraph(
                    reason: "node '\(step.node.name)' reads '\(slotNames[s])' before it is computed")
            }
            let started = profile?.now() ?? 0
            let results = try step.node.kernel(args)
            if let profile {
                profile.add(step.node.opType, profile.now() &- started, args.compactMap { $0?.shape })
            }
            guard results.count >= step.outputs.filter({ $0 >= 0 }).count || results.count >= step.outputs.count else {
                throw ONNXError.invalidNode(
                    node: step.node.name, op: step.node.opType, reason: "produced \(results.count) outputs")
            }
            if let tracker {
                let derived =
                    step.node.opType == "Shape" || step.node.opType == "Size"
                    || step.inputs.allSatisfy { $0 < 0 || tracker.shapeOnly[$0] }
                for (k, s) in step.outputs.enumerated() where s >= 0 && k < results.count {
                    tracker.shapes[s] = results[k].shape
                    tracker.shapeOnly[s] = derived
                    if derived { tracker.values[s] = results[k] }
                }
            }
            for (k, s) in step.outputs.enumerated() where s >= 0 {
                guard k < results.count else {
                    throw ONNXError.invalidNode(
                        node: step.node.name, op: step.node.opType, reason: "output \(k) was not produced")
                }
                slots[s] = results[k]
            }
            for s in step.release { slots[s] = nil }
        }
        var result: [String: ONNXValue] = [:]
        for (name, s) in outputSlots {
            guard let v = slots[s] else { throw ONNXError.invalidGraph(reason: "output '\(name)' was not computed") }
            result[name] = v
        }
        return result
    }
}

/// Accumulated time per operator type (and per op type + input shapes) over runs.
public final class OperatorProfile: @unchecked Sendable {
    public private(set) var nanoseconds: [String: UInt64] = [:]
    public private(set) var calls: [String: Int] = [:]
    public private(set) var byShape: [String: UInt64] = [:]

    /// Measure the calling thread's CPU time instead of wall time (exact at one thread on a busy machine;
    /// misses the time of worker threads).
    public let threadCPUTime: Bool

    public init(threadCPUTime: Bool = false) { self.threadCPUTime = threadCPUTime }

    func now() -> UInt64 {
        guard threadCPUTime else { return DispatchTime.now().uptimeNanoseconds }
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    func add(_ op: String, _ ns: UInt64, _ shapes: [[Int]]) {
        nanoseconds[op, default: 0] += ns
        calls[op, default: 0] += 1
        byShape["\(op) \(shapes)", default: 0] += ns
    }

    /// A table of the operators by total time, and the `top` most expensive (op, shapes) pairs.
    public func report(top: Int = 10) -> String {
        let total = max(nanoseconds.values.reduce(0, +), 1)
        var lines = nanoseconds.sorted { $0.value > $1.value }.map { op, ns in
            String(
                format: "%-22@ %9.2f ms %5.1f%% %6d calls", op as NSString, Double(ns) / 1e6,
                100 * Double(ns) / Double(total), calls[op] ?? 0)
        }
        lines.append("top (op, input shapes):")
        for (k, ns) in byShape.sorted(by: { $0.value > $1.value }).prefix(top) {
            lines.append(String(format: "  %9.2f ms  ", Double(ns) / 1e6) + k)
        }
        return lines.joined(separator: "\n")
    }
}
