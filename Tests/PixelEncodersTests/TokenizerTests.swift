import Foundation
import Testing

@testable import PixelEncoders

/// Token ids against the Hugging Face / OpenAI references in `../shared/models`.
@Suite("Tokenizers")
struct TokenizerTests {
    /// The 32 texts of `tools/common.py` BATCH_TEXTS followed by two extra checks; the same order as
    /// `real/clip-tokenizer/tokenizer_check.json`.
    static func clipCheck() throws -> [(String, [Int])]? {
        guard let dir = SharedFixtures.model("real/clip-tokenizer") else { return nil }
        let root = try #require(
            try SharedFixtures.json(dir.appendingPathComponent("tokenizer_check.json")) as? [String: Any])
        let texts = try #require(root["texts"] as? [String: Any])
        // JSONSerialization loses key order; re-read the keys in file order.
        let raw = try String(contentsOf: dir.appendingPathComponent("tokenizer_check.json"), encoding: .utf8)
        var ordered: [(String, [Int])] = []
        for (text, value) in texts {
            let entry = try #require(value as? [String: Any])
            ordered.append((text, try #require(entry["ids"] as? [Int])))
        }
        func position(_ text: String) -> Int {
            let escaped =
                String(data: (try? JSONSerialization.data(withJSONObject: [text])) ?? Data(), encoding: .utf8) ?? ""
            let needle = String(escaped.dropFirst().dropLast())
            return raw.range(of: needle).map { raw.distance(from: raw.startIndex, to: $0.lowerBound) } ?? Int.max
        }
        return ordered.sorted { position($0.0) < position($1.0) }
    }

    @Test("CLIP BPE: all 34 texts of tokenizer_check.json, from tokenizer.json and from vocab.json + merges.txt")
    func clipReference() throws {
        guard let check = try Self.clipCheck(), let dir = SharedFixtures.model("real/clip-tokenizer") else {
            print(SharedFixtures.skipMessage("real/clip-tokenizer"))
            return
        }
        #expect(check.count == 34)
        let fromJSON = try TextTokenizer.load(directory: dir.path)
        #expect(fromJSON.kind == .clip)
        #expect(fromJSON.maxLength == 77)
        // vocab.json + merges.txt only (the slow-tokenizer files).
        let plain = try SharedFixtures.temporaryDirectory("clip")
        defer { try? FileManager.default.removeItem(at: plain) }
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(
                at: dir.appendingPathComponent(name), to: plain.appendingPathComponent(name))
        }
        let fromFiles = try TextTokenizer.load(directory: plain.path)
        #expect(fromFiles.kind == .clip)
        var mismatches: [String] = []
        for (text, ids) in check {
            if fromJSON.encode(text) != ids { mismatches.append("json: \(text) -> \(fromJSON.encode(text)) != \(ids)") }
            if fromFiles.encode(text) != ids { mismatches.append("files: \(text)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("CLIP batch: padded to 77 with <|endoftext|>, mask marks real tokens")
    func clipBatch() throws {
        guard let dir = SharedFixtures.model("real/clip-tokenizer") else {
            print(SharedFixtures.skipMessage("real/clip-tokenizer"))
            return
        }
        let tokenizer = try TextTokenizer.load(directory: dir.path)
        let batch = tokenizer.encodeBatch(["a photo of a cat", ""])
        #expect(batch.length == 77 && batch.count == 2)
        #expect(Array(batch.inputIDs[0..<8]) == [49406, 320, 1125, 539, 320, 2368, 49407, 49407])
        #expect(Array(batch.inputIDs[77..<80]) == [49406, 49407, 49407])
        #expect(batch.attentionMask[0..<77].reduce(0, +) == 7)
        #expect(batch.attentionMask[77..<154].reduce(0, +) == 2)
        let long = tokenizer.encode(String(repeating: "cat ", count: 500))
        #expect(long.count == 77 && long.first == 49406 && long.last == 49407)
    }

    static func miniLMTokenizers() throws -> [TextTokenizer]? {
        guard let dir = SharedFixtures.model("real/minilm-l6-v2") else { return nil }
        let fromJSON = try TextTokenizer.load(directory: dir.path)
        let plain = try SharedFixtures.temporaryDirectory("bert")
        defer { try? FileManager.default.removeItem(at: plain) }
        for name in ["vocab.txt", "tokenizer_config.json", "sentence_bert_config.json"] {
            try FileManager.default.copyItem(
                at: dir.appendingPathComponent(name), to: plain.appendingPathComponent(name))
        }
        return [fromJSON, try TextTokenizer.load(directory: plain.path)]
    }

    @Test("BERT WordPiece (MiniLM-L6): reference ids and the 32-text batch npy, from tokenizer.json and vocab.txt")
    func miniLMReference() throws {
        guard let tokenizers = try Self.miniLMTokenizers(), let check = try Self.clipCheck(),
            let dir = SharedFixtures.model("real/minilm-l6-v2")
        else {
            print(SharedFixtures.skipMessage("real/minilm-l6-v2"))
            return
        }
        let ids = try NpyArray(contentsOf: dir.appendingPathComponent("batch32_input_input_ids.npy"))
        let mask = try NpyArray(contentsOf: dir.appendingPathComponent("batch32_input_attention_mask.npy"))
        let types = try NpyArray(contentsOf: dir.appendingPathComponent("batch32_input_token_type_ids.npy"))
        let texts = check.prefix(32).map(\.0)
        #expect(texts.first == "a red cotton summer dress")
        for tokenizer in tokenizers {
            #expect(tokenizer.kind == .bert)
            #expect(tokenizer.maxLength == 256)  // sentence_bert_config.json, not tokenizer.json's 128
            #expect(tokenizer.encode("a red cotton summer dress") == [101, 1037, 2417, 6557, 2621, 4377, 102])
            let batch = tokenizer.encodeBatch(Array(texts))
            #expect(ids.shape == [batch.count, batch.length])
            #expect(batch.inputIDs == ids.ints)
            #expect(batch.attentionMask == mask.ints)
            #expect(batch.tokenTypeIDs == types.ints)
        }
    }

    @Test("BERT basic tokenization: accents, CJK, emoji, punctuation, empty, very long, specials in text")
    func bertEdgeCases() throws {
        guard let tokenizers = try Self.miniLMTokenizers() else {
            print(SharedFixtures.skipMessage("real/minilm-l6-v2"))
            return
        }
        for t in tokenizers {
            // Accent stripping: NFD then drop Mn, so these spell the same ids.
            #expect(t.encode("naïve café Ångström") == t.encode("naive cafe angstrom"))
            #expect(t.encode("NAI\u{0308}VE") == t.encode("naive"))
            // CJK ideographs are split into single characters; each is its own vocabulary entry.
            let vocabulary = try #require(t.wordPiece?.vocabulary)
            let cjk = "北京大学"
            let characters = try cjk.unicodeScalars.map { try #require(vocabulary[String($0)]) }
            let expected = [101] + characters + [102]
            #expect(t.encode(cjk) == expected)
            #expect(
                t.encode("東京tokyo") == [101, vocabulary["東"] ?? -1, vocabulary["京"] ?? -1] + t.tokenIDs("tokyo") + [102]
            )
            // Emoji is not in the vocabulary: one [UNK] per word.
            #expect(t.encode("I love 🍕!") == [101] + t.tokenIDs("i love") + [100, vocabulary["!"] ?? -1, 102])
            // Punctuation isolated, control characters dropped, whitespace collapsed.
            #expect(t.encode("hello,world\u{0007}\t\n") == t.encode("hello , world"))
            #expect(t.encode("") == [101, 102])
            #expect(t.encode("   \n ") == [101, 102])
            // Special tokens written in the text are kept as such.
            #expect(t.encode("[CLS] hi [SEP]") == [101, 101] + t.tokenIDs("hi") + [102, 102])
            // Very long: truncated to 256 with [SEP] kept.
            let long = t.encode(String(repeating: "summer dress ", count: 400))
            #expect(long.count == 256 && long.first == 101 && long.last == 102)
            // A word of more than 100 characters is one [UNK].
            #expect(t.encode(String(repeating: "a", count: 101)) == [101, 100, 102])
            // WordPiece continuation pieces.
            #expect(t.tokenIDs("unaffable").count > 1)
        }
    }

    @Test("Cased BERT keeps case and accents")
    func casedBert() throws {
        let vocabulary = ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "Café": 4, "café": 5, "cafe": 6, "##s": 7]
        let cased = try TextTokenizer.wordPiece(
            vocabulary: vocabulary, kind: .bert, lowercase: false, stripAccents: nil, handleChinese: true,
            maxLength: 16,
            source: "test")
        #expect(cased.encode("Café Cafés") == [2, 4, 4, 7, 3])
        let uncased = try TextTokenizer.wordPiece(
            vocabulary: vocabulary, kind: .bert, lowercase: true, stripAccents: nil, handleChinese: true, maxLength: 16,
            source: "test")
        #expect(uncased.encode("Café") == [2, 6, 3])
        let keepAccents = try TextTokenizer.wordPiece(
            vocabulary: vocabulary, kind: .bert, lowercase: true, stripAccents: false, handleChinese: true,
            maxLength: 16,
            source: "test")
        #expect(keepAccents.encode("Café") == [2, 5, 3])
    }

    @Test("MPNet: <s>=0 </s>=2 around WordPiece ids shifted by the four leading specials (SOURCE-NOTES ids)")
    func mpnet() throws {
        guard let dir = SharedFixtures.model("real/minilm-l6-v2") else {
            print(SharedFixtures.skipMessage("real/minilm-l6-v2"))
            return
        }
        // all-mpnet-base-v2's vocab.txt is <s> <pad> </s> <unk>, the bert-base-uncased vocabulary, <mask>.
        let bert = try String(contentsOf: dir.appendingPathComponent("vocab.txt"), encoding: .utf8)
        let folder = try SharedFixtures.temporaryDirectory("mpnet")
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines = ["<s>", "<pad>", "</s>", "<unk>"]
        bert.enumerateLines { line, _ in lines.append(line) }
        lines.append("<mask>")
        try lines.joined(separator: "\n").write(
            to: folder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        try #"{"tokenizer_class": "MPNetTokenizer", "do_lower_case": true, "model_max_length": 512}"#
            .write(to: folder.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let tokenizer = try TextTokenizer.load(directory: folder.path)
        #expect(tokenizer.kind == .mpnet)
        #expect(tokenizer.encode("a red cotton summer dress") == [0, 1041, 2421, 6561, 2625, 4381, 2])
        #expect(tokenizer.padID == 1)
        #expect(tokenizer.encode("🍕") == [0, 3, 2])
        let batch = tokenizer.encodeBatch(["a", "a red dress"])
        #expect(Array(batch.inputIDs[0..<5]) == [0, 1041, 2, 1, 1])
    }

    @Test("GPT-2 / RoBERTa split: spaces travel with the next word, contractions, digits, trailing spaces")
    func gpt2Split() {
        func split(_ text: String) -> [String] {
            BytePairPreTokenizer.gpt2.pieces(text).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(split("Hello  world's 123!!\n") == ["Hello", " ", " world", "'s", " 123", "!!", "\n"])
        #expect(split("I'm here   ") == ["I", "'m", " here", "   "])
        #expect(split("a\nb") == ["a", "\n", "b"])
        #expect(split("") == [])
        #expect(
            BytePairPreTokenizer.clip.pieces("men's  12.5%").map { String(decoding: $0, as: UTF8.self) }
                == ["men", "'s", "1", "2", ".", "5", "%"])
    }

    @Test("RoBERTa byte-level BPE on a small vocabulary: merges by rank, Ġ for spaces, bytes for emoji")
    func robertaBPE() throws {
        // Byte-level alphabet for all 256 bytes, then merged tokens.
        var vocabulary: [String: Int] = ["<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3]
        for byte in 0..<256 { vocabulary[ByteLevelAlphabet.string([UInt8(byte)])] = 4 + byte }
        let merges: [(String, String)] = [("l", "o"), ("lo", "w"), ("Ġ", "low"), ("e", "r")]
        var next = 260
        for (a, b) in merges where vocabulary[a + b] == nil {
            vocabulary[a + b] = next
            next += 1
        }
        let tokenizer = try TextTokenizer.bytePair(
            vocabulary: vocabulary, merges: merges, kind: .roberta, maxLength: 512, source: "test")
        // "low lower": "low" → l o w → lo w → low; " lower" → Ġ l o w e r → Ġ lo w e r (rank 0)
        // → Ġ low e r (rank 1) → Ġlow e r (rank 2) → Ġlow er (rank 3).
        let ids = tokenizer.encode("low lower")
        let low = vocabulary["low"] ?? -1, er = vocabulary["er"] ?? -1, spaceLow = vocabulary["Ġlow"] ?? -1
        #expect(ids == [0, low, spaceLow, er, 2])
        // 🍕 is F0 9F 8D 95: four byte tokens.
        #expect(tokenizer.tokenIDs("🍕") == [0xF0, 0x9F, 0x8D, 0x95].map { 4 + $0 })
        #expect(tokenizer.encode("") == [0, 2])
        #expect(tokenizer.encode("<s>x</s>") == [0, 0, 4 + 0x78, 2, 2])
    }

    @Test("Length-sorted batches cover every index once, shortest first")
    func lengthBatches() {
        let lengths = [5, 1, 9, 3, 3, 7, 2]
        let batches = TokenizedBatch.lengthSortedBatches(lengths: lengths, batchSize: 3)
        #expect(batches == [[1, 6, 3], [4, 0, 5], [2]])
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<7))
        #expect(TokenizedBatch.lengthSortedBatches(lengths: [], batchSize: 4).isEmpty)
    }
}
