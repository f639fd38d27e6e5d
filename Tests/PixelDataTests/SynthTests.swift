import Foundation
import PixelImage
import Testing

@testable import PixelData

@Suite("Synthetic data")
struct SynthTests {
    @Test func writesPixelRecFormatDeterministically() throws {
        let options = SynthOptions(users: 50, items: 40, interactions: 600, seed: 7, imageSize: 32, withImages: true)
        let a = temporaryDirectory("synth-a"), b = temporaryDirectory("synth-b")
        let report = try SynthGenerator.generate(options: options, outputDirectory: a)
        try SynthGenerator.generate(options: options, outputDirectory: b)
        #expect(report.interactions == 600 && report.images == 40)
        for file in ["interactions.csv", "item_info.csv", "images/i1.jpg", "images/i40.jpg"] {
            #expect(
                FileManager.default.contents(atPath: a + "/" + file)
                    == FileManager.default.contents(atPath: b + "/" + file), "\(file) differs")
        }
        let (table, load) = try InteractionTable.load(
            path: a + "/interactions.csv", options: InteractionLoadOptions(duplicates: .error))
        #expect(table.count == 600 && load.duplicatesDropped == 0)
        let items = try ItemTable.load(path: a + "/item_info.csv")
        #expect(items.header == ["item_id"] + SynthGenerator.countColumns + ["title", "tag", "description"])
        #expect(items.count == 40)
        let image = try ImageCodec.decode(contentsOf: a + "/images/i3.jpg")
        #expect(image.width == 32 && image.height == 32)
        // Pairs are distinct per user.
        var pairs = Set<[Int32]>()
        for row in 0..<table.count { pairs.insert([table.users[row], table.items[row]]) }
        #expect(pairs.count == 600)
    }

    @Test func tastesMakeVisualAttributesPredictive() {
        // Users should concentrate on their top hue far above the 1/8 chance level.
        let world = SynthWorld(
            options: SynthOptions(users: 300, items: 800, interactions: 9000, seed: 3, withImages: false))
        let counts = world.interactionCounts()
        var rng = SeededGenerator(seed: 1)
        var marks = [Int32](repeating: 0, count: 800)
        var topShare = 0.0, users = 0
        for u in 0..<300 where counts[u] >= 10 {
            var hueCounts = [Int](repeating: 0, count: 8)
            world.draw(user: u, count: counts[u], marks: &marks, rng: &rng) { item, _ in
                hueCounts[Int(world.hue[Int(item)])] += 1
            }
            // The hue the user's taste ranks first (sum of logits over shape × texture).
            var best = 0, bestScore = -Float.infinity
            for h in 0..<8 {
                var score: Float = 0
                for s in 0..<4 {
                    for t in 0..<3 {
                        score +=
                            world.userLogits[
                                u * SynthWorld.classes + SynthWorld.classIndex(hue: h, shape: s, texture: t)]
                    }
                }
                if score > bestScore { bestScore = score; best = h }
            }
            topShare += Double(hueCounts[best]) / Double(counts[u])
            users += 1
        }
        #expect(topShare / Double(users) > 0.3)
    }

    @Test func imagesShowTheItemHue() throws {
        let world = SynthWorld(options: SynthOptions(users: 1, items: 16, interactions: 1, seed: 11, imageSize: 64))
        for i in 0..<16 {
            let image = SynthImage.render(world, item: i)
            // The centre pixel lies inside the shape; its dominant channel follows the hue.
            let o = (32 * 64 + 32) * 3
            let (r, g, b) = (Int(image.pixels[o]), Int(image.pixels[o + 1]), Int(image.pixels[o + 2]))
            let hue = Int(world.hue[i])
            if hue == 0 { #expect(r > g && r > b) }
            if hue == 3 { #expect(g > r) }
            if hue == 5 { #expect(b > r) }
        }
    }

    @Test func rejectsImpossibleOptions() {
        #expect(throws: DataError.self) { try SynthOptions(users: 2, items: 4, interactions: 100).validate() }
    }
}
