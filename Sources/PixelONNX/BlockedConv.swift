/// Convolutions over channel-blocked activations ("NCHW16c"): a 4-D tensor `[N, C, H, W]` is stored as
/// `[⌈C/16⌉, N, H, W, 16]`, so the 16 channels of one block at one position are one vector (channels past
/// `C` in the last block are zero). This is onnxruntime's NCHWc layout with AVX-512 blocks, except that the
/// channel block is outermost: for one block, the positions of all images are contiguous, so a 1×1
/// convolution over a batch is one product over `N·H·W` positions (no partial tile per image).
///
/// - Depthwise convolutions run with the vector across channels: every lane does useful work whatever the
///   map size (a 7×7 map wastes 9 of 16 lanes when the vector runs along a row), each tap is one weight
///   vector, and strides and padding need no gathers or padded copies.
/// - 1×1 convolutions are a product `out[positions × M] = x[positions × C] · Wᵀ` in ``PackedGemm``'s
///   12×32 register block (12 positions × 32 output channels), with the per-channel bias, the clamp and
///   optionally a residual (an `Add` that followed the convolution) applied before the store.
///
/// ``GraphFusion/blockChannels(_:constants:shapes:graphOutputs:)`` chooses where the layout is used and
/// inserts the conversions.
enum BlockedConv {
    typealias V = SIMD16<Float>
    static let lanes = 16

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// `[N, C, H, W]` → `[⌈C/16⌉, N, H, W, 16]`.
    static func blockedShape(_ shape: [Int]) -> [Int] {
        [(shape[1] + lanes - 1) / lanes, shape[0], shape[2], shape[3], lanes]
    }

    // MARK: layout conversions

    /// NCHW → NCHW16c (`hw` positions per channel plane; the channels past `c` in the last block are zero).
    static func toBlocked(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int,
        settings: ExecutionSettings
    ) {
        let blocks = (c + lanes - 1) / lanes
        let src = UncheckedSendable(x), dst = UncheckedSendable(y)
        settings.parallelChunks(n * blocks, minimumPerThread: 1) { range in
            for t in range {
                let image = t / blocks, block = t % blocks
                let c0 = block * lanes, width = Swift.min(lanes, c - c0)
                let out = dst.value + (block * n + image) * hw * lanes
                if width < lanes { out.update(repeating: 0, count: hw * lanes) }
                let planes = src.value + (image * c + c0) * hw
                // 64 positions at a time: the 16 planes' rows and the output tile stay in L1.
                var p0 = 0
                while p0 < hw {
                    let p1 = Swift.min(hw, p0 + 64)
                    for l in 0..<width {
                        let plane = planes + l * hw
                        for p in p0..<p1 { out[p &* lanes &+ l] = plane[p] }
                    }
                    p0 = p1
                }
            }
        }
    }

    /// NCHW16c → NCHW (the first `c` channels).
    static func fromBlocked(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int,
        settings: ExecutionSettings
    ) {
        let blocks = (c + lanes - 1) / lanes
        let src = UncheckedSendable(x), dst = UncheckedSendable(y)
        settings.parallelChunks(n * blocks, minimumPerThread: 1) { range in
            for t in range {
                let image = t / blocks, block = t % blocks
                let c0 = block * lanes, width = Swift.min(lanes, c - c0)
                let input = src.value + (block * n + image) * hw * lanes
                let planes = dst.value + (image * c + c0) * hw
                var p0 = 0
                while p0 < hw {
                    let p1 = Swift.min(hw, p0 + 64)
                    for l in 0..<width {
                        let plane = planes + l * hw
                        for p in p0..<p1 { plane[p] = input[p &* lanes &+ l] }
                    }
                    p0 = p1
                }
            }
        }
    }
}
