import Foundation
import PixelImage

/// Draws an item's picture from its latent class: the shape (circle, square, triangle, diamond) filled
/// with the hue's colour, overlaid with its texture (plain, diagonal stripes, dots), on a light tinted
/// background. Position, size, saturation and brightness are jittered per item (seeded).
enum SynthImage {
    static func rgb(hue: Double, saturation: Double, value: Double) -> (Double, Double, Double) {
        let h = (hue - floor(hue)) * 6
        let c = value * saturation
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let m = value - c
        let (r, g, b): (Double, Double, Double)
        switch Int(h) {
        case 0: (r, g, b) = (c, x, 0)
        case 1: (r, g, b) = (x, c, 0)
        case 2: (r, g, b) = (0, c, x)
        case 3: (r, g, b) = (0, x, c)
        case 4: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        return ((r + m) * 255, (g + m) * 255, (b + m) * 255)
    }

    static func render(_ world: SynthWorld, item i: Int) -> Image {
        let size = world.options.imageSize
        var rng = SeededGenerator(seed: world.options.seed, stream: 2_000_000 + UInt64(i))
        let jitter = { (rng: inout SeededGenerator, amount: Double) in (rng.unit() * 2 - 1) * amount }
        let colour = rgb(
            hue: Double(world.hue[i]) / Double(SynthWorld.hues) + jitter(&rng, 0.02),
            saturation: 0.75 + jitter(&rng, 0.15), value: 0.85 + jitter(&rng, 0.1))
        let background = (225 + jitter(&rng, 20), 225 + jitter(&rng, 20), 225 + jitter(&rng, 20))
        let s = Double(size)
        let cx = s * (0.5 + jitter(&rng, 0.1)), cy = s * (0.5 + jitter(&rng, 0.1))
        let radius = s * (0.3 + jitter(&rng, 0.06))
        let shape = Int(world.shape[i]), texture = Int(world.texture[i])
        let stripe = max(2.0, s / 14), dotSpacing = max(4.0, s / 9), dotRadius = max(1.0, s / 36)
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<size {
                for x in 0..<size {
                    let dx = (Double(x) + 0.5 - cx) / radius, dy = (Double(y) + 0.5 - cy) / radius
                    let inside: Bool
                    switch shape {
                    case 0: inside = dx * dx + dy * dy <= 1
                    case 1: inside = abs(dx) <= 0.85 && abs(dy) <= 0.85
                    case 2: inside = dy <= 0.8 && dy >= -1 && abs(dx) <= (dy + 1) / 1.8
                    default: inside = abs(dx) + abs(dy) <= 1
                    }
                    var (r, g, b) = inside ? colour : background
                    if inside {
                        var shade = 1.0
                        switch texture {
                        case 1:
                            if Int((Double(x + y)) / stripe) % 2 == 0 { shade = 0.55 }
                        case 2:
                            let px = Double(x).truncatingRemainder(dividingBy: dotSpacing) - dotSpacing / 2
                            let py = Double(y).truncatingRemainder(dividingBy: dotSpacing) - dotSpacing / 2
                            if px * px + py * py <= dotRadius * dotRadius { shade = 0.45 }
                        default: break
                        }
                        r *= shade
                        g *= shade
                        b *= shade
                    }
                    let o = (y * size + x) * 3
                    out[o] = UInt8(max(0, min(255, r)))
                    out[o + 1] = UInt8(max(0, min(255, g)))
                    out[o + 2] = UInt8(max(0, min(255, b)))
                }
            }
        }
        return (try? Image(width: size, height: size, pixels: pixels)) ?? Image(width: size, height: size)
    }
}
