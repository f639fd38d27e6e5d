import Foundation
import PixelONNX
import Testing

/// The channel-blocked (NCHW16c) depthwise, 1×1 and stem convolutions against a direct double-precision
/// reference, on graphs `x (→ 3×3 stride-2 stem Conv) → depthwise Conv → Clip → 1×1 Conv (p) → 1×1 Conv
/// → Add(·, clipped) (y)` with odd channel counts, strides, asymmetric pads, dilation and batches.
@Suite("Channel-blocked convolutions")
struct BlockedConvTests {
    struct Case: CustomStringConvertible, Sendable {
        var n: Int, c: Int, m: Int, h: Int, w: Int, kh: Int, kw: Int
        var stride: (Int, Int), dilation: (Int, Int), pads: [Int]  // top, left, bottom, right
        var clip: (Float, Float)?
        /// Input channels of a 3×3 stride-2 stem convolution in front (input `2h × 2w`, pads 1 top/left).
        var stem: Int? = nil
        var description: String {
            "n\(n) c\(c) m\(m) \(h)x\(w) k\(kh)x\(kw) s\(stride) d\(dilation) pads\(pads) clip \(clip.map { "\($0)" } ?? "none")"
                + (stem.map { " stem \($0)" } ?? "")
        }
        var inputShape: [Int] { stem.map { [n, $0, 2 * h, 2 * w] } ?? [n, c, h, w] }
        var oh: Int { (h + pads[0] + pads[2] - dilation.0 * (kh - 1) - 1) / stride.0 + 1 }
        var ow: Int { (w + pads[1] + pads[3] - dilation.1 * (kw - 1) - 1) / stride.1 + 1 }
    }

    static let cases: [Case] = [
        Case(
            n: 1, c: 16, m: 32, h: 7, w: 7, kh: 3, kw: 3, stride: (1, 1), dilation: (1, 1), pads: [1, 1, 1, 1],
            clip: (0, 6)),
        Case(
            n: 2, c: 23, m: 40, h: 14, w: 13, kh: 5, kw: 5, stride: (2, 2), dilation: (1, 1), pads: [1, 2, 2, 1],
            clip: (0, 6)),
        Case(
            n: 3, c: 5, m: 19, h: 9, w: 11, kh: 3, kw: 3, stride: (1, 2), dilation: (2, 1), pads: [2, 0, 1, 3],
            clip: nil),
        Case(
            n: 1, c: 37, m: 16, h: 28, w: 29, kh: 3, kw: 5, stride: (2, 1), dilation: (1, 2), pads: [0, 4, 1, 0],
            clip: (-0.5, 0.75)),
        Case(
            n: 2, c: 1, m: 3, h: 5, w: 4, kh: 1, kw: 1, stride: (1, 1), dilation: (1, 1), pads: [0, 0, 0, 0], clip: nil),
        Case(
            n: 4, c: 24, m: 48, h: 3, w: 1, kh: 3, kw: 3, stride: (1, 1), dilation: (1, 1), pads: [1, 1, 1, 1],
            clip: (0, 6)),
        Case(
            n: 2, c: 17, m: 33, h: 1, w: 2, kh: 3, kw: 3, stride: (2, 2), dilation: (1, 1), pads: [1, 1, 1, 1],
            clip: nil),
        Case(
            n: 1, c: 48, m: 96, h: 20, w: 17, kh: 5, kw: 3, stride: (1, 1), dilation: (1, 1), pads: [2, 1, 2, 1],
            clip: (0, 6)),
        // Wide maps: the eight-position register blocks (stride 1 and 2 sliding windows), bordered and not.
        Case(
            n: 2, c: 20, m: 24, h: 12, w: 40, kh: 3, kw: 5, stride: (2, 2), dilation: (1, 1), pads: [1, 2, 1, 2],
            clip: (0, 6)),
        Case(
            n: 1, c: 33, m: 17, h: 9, w: 81, kh: 5, kw: 4, stride: (1, 2), dilation: (1, 1), pads: [2, 1, 2, 2],
            clip: nil),
        Case(
            n: 1, c: 16, m: 16, h: 5, w: 70, kh: 3, kw: 3, stride: (1, 1), dilation: (1, 1), pads: [1, 1, 1, 1],
            clip: (0, 6)),
        Case(
            n: 3, c: 8, m: 40, h: 6, w: 50, kh: 1, kw: 7, stride: (1, 2), dilation: (1, 2), pads: [0, 6, 0, 5],
            clip: (-1, 1)),
        // A stem convolution (plain input, blocked output) in front: 12-, 4- and 1-column paths.
        Case(
            n: 2, c: 32, m: 16, h: 28, w: 29, kh: 3, kw: 3, stride: (1, 1), dilation: (1, 1), pads: [1, 1, 1, 1],
            clip: (0, 6), stem: 3),
        Case(
            n: 1, c: 24, m: 8, h: 5, w: 6, kh: 3, kw: 3, stride: (2, 2), dilation: (1, 1), pads: [1, 1, 1, 1],
            clip: nil, stem: 5),
        Case(
            n: 2, c: 16, m: 16, h: 3, w: 2, kh: 3, kw: 3, stride: (1, 1), dilation: (1, 1), pads: [1, 1, 1, 1],
            clip: (0, 6), stem: 2),
    ]

    /// SplitMix64: reproducible test data.
    struct Random {
        var state: UInt64
        mutating func next() -> Float {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 24) * 2 - 1
        }
        mutating func array(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in next() * scale } }
    }

    static func intAttribute(_ name: String, _ v: Int64) -> [UInt8] {
        ProtoWriter.string(1, name) + ProtoWriter.int(20, 2) + ProtoWriter.int(3, v)
    }

    /// The test graph, its weights and the input.
    static func build(_ t: Case, seed: UInt64) -> (
        model: [UInt8], x: [Float], ws: [Float], bs: [Float], wd: [Float], bd: [Float],
        wp: [Float], bp: [Float], wq: [Float], bq: [Float]
    ) {
        typealias W = ProtoWriter
        var r = Random(state: seed)
        let x = r.array(t.inputShape.reduce(1, *))
        let ws = r.array(t.c * (t.stem ?? 0) * 9, scale: 0.4), bs = r.array(t.stem == nil ? 0 : t.c, scale: 0.2)
        let wd = r.array(t.c * t.kh * t.kw, scale: 0.5), bd = r.array(t.c, scale: 0.2)
        let wp = r.array(t.m * t.c, scale: 0.3), bp = r.array(t.m, scale: 0.2)
        let wq = r.array(t.c * t.m, scale: 0.3), bq = r.array(t.c, scale: 0.2)
        let f: Int64 = 1
        var initializers = [
            W.tensor("wd", dims: [Int64(t.c), 1, Int64(t.kh), Int64(t.kw)], type: f, floats: wd),
            W.tensor("bd", dims: [Int64(t.c)], type: f, floats: bd),
            W.tensor("wp", dims: [Int64(t.m), Int64(t.c), 1, 1], type: f, floats: wp),
            W.tensor("bp", dims: [Int64(t.m)], type: f, floats: bp),
            W.tensor("wq", dims: [Int64(t.c), Int64(t.m), 1, 1], type: f, floats: wq),
            W.tensor("bq", dims: [Int64(t.c)], type: f, floats: bq),
        ]
        var nodes: [[UInt8]] = []
        var dwInput = "x"
        if let stem = t.stem {
            initializers += [
                W.tensor("ws", dims: [Int64(t.c), Int64(stem), 3, 3], type: f, floats: ws),
                W.tensor("bs", dims: [Int64(t.c)], type: f, floats: bs),
            ]
            nodes.append(
                W.node(
                    "Conv", ["x", "ws", "bs"], ["s"],
                    attributes: [
                        W.intsAttribute("strides", [2, 2]), W.intsAttribute("pads", [1, 1, 0, 0]),
                    ], name: "stem"))
            dwInput = "s"
        }
        nodes += [
            W.node(
                "Conv", [dwInput, "wd", "bd"], ["d"],
                attributes: [
                    intAttribute("group", Int64(t.c)),
                    W.intsAttribute("kernel_shape", [Int64(t.kh), Int64(t.kw)]),
                    W.intsAttribute("strides", [Int64(t.stride.0), Int64(t.stride.1)]),
                    W.intsAttribute("dilations", [Int64(t.dilation.0), Int64(t.dilation.1)]),
                    W.intsAttribute("pads", t.pads.map { Int64($0) }),
                ], name: "dw")
        ]
        var activated = "d"
        if let (lo, hi) = t.clip {
            initializers += [
                W.tensor("lo", dims: [], type: f, floats: [lo]), W.tensor("hi", dims: [], type: f, floats: [hi]),
            ]
            nodes.append(W.node("Clip", ["d", "lo", "hi"], ["a"], name: "clip"))
            activated = "a"
        }
        nodes += [
            W.node("Conv", [activated, "wp", "bp"], ["p"], name: "expand"),
            W.node("Conv", ["p", "wq", "bq"], ["q"], name: "project"),
            W.node("Add", ["q", activated], ["y"], name: "residual"),
        ]
        let model = W.model(
            nodes: nodes, initializers: initializers,
            inputs: [W.valueInfo("x", type: f, dims: t.inputShape)],
            outputs: [
                W.valueInfo("p", type: f, dims: [t.n, t.m, t.oh, t.ow]),
                W.valueInfo("y", type: f, dims: [t.n, t.c, t.oh, t.ow]),
            ])
        return (model, x, ws, bs, wd, bd, wp, bp, wq, bq)
    }

    /// Direct evaluation in double precision: (p, y).
    static func reference(
        _ t: Case, input: [Float], ws: [Float], bs: [Float], wd: [Float], bd: [Float], wp: [Float], bp: [Float],
        wq: [Float], bq: [Float]
    ) -> ([Double], [Double]) {
        let (oh, ow) = (t.oh, t.ow), hw = oh * ow
        var x = input.map { Double($0) }
        if let stem = t.stem {
            // 3×3, stride 2, pads 1 top/left: output (h, w) from (2h, 2w).
            var s = [Double](repeating: 0, count: t.n * t.c * t.h * t.w)
            for b in 0..<t.n {
                for o in 0..<t.c {
                    for y in 0..<t.h {
                        for z in 0..<t.w {
                            var acc = Double(bs[o])
                            for ci in 0..<stem {
                                for i in 0..<3 {
                                    for j in 0..<3 {
                                        let iy = 2 * y - 1 + i, ix = 2 * z - 1 + j
                                        guard iy >= 0, iy < 2 * t.h, ix >= 0, ix < 2 * t.w else { continue }
                                        acc +=
                                            Double(ws[((o * stem + ci) * 3 + i) * 3 + j])
                                            * x[((b * stem + ci) * 2 * t.h + iy) * 2 * t.w + ix]
                                    }
                                }
                            }
                            s[((b * t.c + o) * t.h + y) * t.w + z] = acc
                        }
                    }
                }
            }
            x = s
        }
        var a = [Double](repeating: 0, count: t.n * t.c * hw)
        for b in 0..<t.n {
            for ch in 0..<t.c {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var s = Double(bd[ch])
                        for i in 0..<t.kh {
                            for j in 0..<t.kw {
                                let iy = oy * t.stride.0 - t.pads[0] + i * t.dilation.0
                                let ix = ox * t.stride.1 - t.pads[1] + j * t.dilation.1
                                guard iy >= 0, iy < t.h, ix >= 0, ix < t.w else { continue }
                                s += Double(wd[(ch * t.kh + i) * t.kw + j]) * x[((b * t.c + ch) * t.h + iy) * t.w + ix]
                            }
                        }
                        if let (lo, hi) = t.clip { s = min(max(s, Double(lo)), Double(hi)) }
                        a[(b * t.c + ch) * hw + oy * ow + ox] = s
                    }
                }
            }
        }
        func pointwise(_ input: [Double], _ w: [Float], _ bias: [Float], cin: Int, cout: Int) -> [Double] {
            var out = [Double](repeating: 0, count: t.n * cout * hw)
            for b in 0..<t.n {
                for o in 0..<cout {
                    for p in 0..<hw {
                        var s = Double(bias[o])
                        for k in 0..<cin { s += Double(w[o * cin + k]) * input[(b * cin + k) * hw + p] }
                        out[(b * cout + o) * hw + p] = s
                    }
                }
            }
            return out
        }
        let p = pointwise(a, wp, bp, cin: t.c, cout: t.m)
        var y = pointwise(p, wq, bq, cin: t.m, cout: t.c)
        for i in y.indices { y[i] += a[i] }
        return (p, y)
    }

    @Test(
        "blocked depthwise, 1×1 and residual match a direct reference and the plain kernels", arguments: cases.indices)
    func matchesReference(_ index: Int) throws {
        let t = Self.cases[index]
        let g = Self.build(t, seed: 0x5EED + UInt64(index))
        let blocked = try ONNXModel(bytes: g.model)
        let plain = try ONNXModel(bytes: g.model, options: .init(blockChannels: false))
        let feeds = ["x": try ONNXValue(floats: g.x, shape: t.inputShape)]
        _ = try blocked.run(feeds)  // builds the shape-specialized (blocked) plan
        let profile = OperatorProfile()
        blocked.profile = profile
        let got = try blocked.run(feeds)
        let want = try plain.run(feeds)
        // Two threads split the same work: identical results.
        blocked.profile = nil
        blocked.threads = 2
        let twoThreads = try blocked.run(feeds)
        // Depthwise, expand, and project with the residual Add folded in.
        #expect(profile.calls["ConvDepthwise16c"] == 1, "\(t): \(profile.calls)")
        #expect(profile.calls["ConvPointwise16c"] == 2, "\(t): \(profile.calls)")
        #expect(profile.calls["ConvDirect16c"] == (t.stem == nil ? nil : 1), "\(t): \(profile.calls)")
        #expect(profile.calls["Add"] == nil && profile.calls["Conv"] == nil, "\(t): \(profile.calls)")
        let (p, y) = Self.reference(
            t, input: g.x, ws: g.ws, bs: g.bs, wd: g.wd, bd: g.bd, wp: g.wp, bp: g.bp, wq: g.wq, bq: g.bq)
        for (name, ref) in [("p", p), ("y", y)] {
            let out = try #require(got[name]), plainOut = try #require(want[name])
            #expect(out.shape == [t.n, name == "p" ? t.m : t.c, t.oh, t.ow], "\(t) \(name): shape \(out.shape)")
            let values = out.floats
            #expect(values.count == ref.count)
            var worst = 0.0
            for i in 0..<min(values.count, ref.count) {
                worst = max(worst, abs(Double(values[i]) - ref[i]) / (1 + abs(ref[i])))
            }
            #expect(worst <= 1e-5, "\(t) \(name): max relative diff \(worst) vs the double reference")
            #expect(try #require(twoThreads[name]).floats == values, "\(t) \(name): two threads differ from one")
            let vsPlain = Compare.maxAbsDiff(values, plainOut.floats)
            #expect(vsPlain <= 1e-6, "\(t) \(name): blocked vs plain kernels max abs diff \(vsPlain)")
        }
    }

    /// On EfficientNet-Lite0 the blocked plan runs every depthwise and 1×1 convolution blocked, folds the
    /// residual Adds, and stays within 1e-5 of the same model without blocking.
    @Test("EfficientNet-Lite0 blocked equals unblocked")
    func efficientNet() throws {
        let c = ReferenceCase(model: "real/efficientnet-lite0/efficientnet-lite0.onnx", prefix: "single_")
        guard TestPaths.exists(c.modelPath) else {
            print("skipped \(c): \(c.modelPath) is absent (set PIXELREC_SHARED)")
            return
        }
        let blocked = try ONNXModel(contentsOf: c.modelPath)
        let plain = try ONNXModel(contentsOf: c.modelPath, options: .init(blockChannels: false))
        let feeds = try c.inputs(for: plain)
        _ = try blocked.run(feeds)
        let profile = OperatorProfile()
        blocked.profile = profile
        let a = try blocked.run(feeds)
        let b = try plain.run(feeds)
        #expect(profile.calls["ConvDepthwise16c"] == 16 && profile.calls["ConvPointwise16c"] == 32, "\(profile.calls)")
        #expect(profile.calls["Add"] == nil, "residual Adds left: \(profile.calls)")
        for d in plain.outputs {
            let x = try #require(a[d.name]), y = try #require(b[d.name])
            #expect(x.shape == y.shape)
            let diff = Compare.maxAbsDiff(x.floats, y.floats)
            print("\(c) \(d.name): blocked vs unblocked max abs diff \(diff)")
            #expect(diff <= 1e-5, "\(c) \(d.name): blocked vs unblocked max abs diff \(diff)")
        }
    }
}
