import Foundation
import PixelCore

extension TextTokenizer {
    /// Loads the tokenizer in a model folder as exported by `optimum-cli export onnx` /
    /// `save_pretrained`: `tokenizer.json` when present, otherwise `vocab.txt` (WordPiece) or
    /// `vocab.json` + `merges.txt` (BPE). `tokenizer_config.json` names the class and lowercasing;
    /// `sentence_bert_config.json`'s `max_seq_length` takes precedence for the maximum length
    /// (sentence encoders truncate there, not at the tokenizer's own limit).
    /// - Parameter kind: forces the family; `nil` infers it from `tokenizer_class` or the files.
    /// - Throws: `EncoderError.missingFile` / `.malformedFile` naming the file.
    public static func load(directory: String, kind forcedKind: Kind? = nil) throws -> TextTokenizer {
        let base = URL(fileURLWithPath: directory)
        func path(_ name: String) -> String { base.appendingPathComponent(name).path }
        let fileManager = FileManager.default
        let config = try readJSONObject(path("tokenizer_config.json"), optional: true) ?? [:]
        let sentenceConfig = try readJSONObject(path("sentence_bert_config.json"), optional: true) ?? [:]
        let className = (config["tokenizer_class"] as? String ?? "").lowercased()
        var kind = forcedKind
        if kind == nil {
            if className.hasPrefix("clip") {
                kind = .clip
            } else if className.hasPrefix("mpnet") {
                kind = .mpnet
            } else if className.hasPrefix("roberta") || className.hasPrefix("gpt2") {
                kind = .roberta
            } else if className.hasPrefix("bert") || className.hasPrefix("distilbert") {
                kind = .bert
            }
        }
        var maxLength = (sentenceConfig["max_seq_length"] as? Int)
        if maxLength == nil, let m = config["model_max_length"] as? Int, m > 0, m < 1_000_000 { maxLength = m }

        if fileManager.fileExists(atPath: path("tokenizer.json")) {
            return try fromTokenizerJSON(path("tokenizer.json"), kind: kind, config: config, maxLength: maxLength)
        }
        if fileManager.fileExists(atPath: path("vocab.txt")) {
            var vocabulary: [String: Int] = [:]
            for (index, line) in try readLines(path("vocab.txt")).enumerated() { vocabulary[line.text] = index }
            let lowercase = config["do_lower_case"] as? Bool ?? true
            let strip = config["strip_accents"] as? Bool
            let resolved = kind ?? (vocabulary["<s>"] == 0 ? .mpnet : .bert)
            return try wordPiece(
                vocabulary: vocabulary, kind: resolved, lowercase: lowercase, stripAccents: strip, handleChinese: true,
                maxLength: maxLength, source: path("vocab.txt"))
        }
        if fileManager.fileExists(atPath: path("vocab.json")) && fileManager.fileExists(atPath: path("merges.txt")) {
            guard let raw = try readJSONObject(path("vocab.json"), optional: false) else {
                throw EncoderError.missingFile(path: path("vocab.json"), what: "tokenizer vocabulary")
            }
            let vocabulary = try intDictionary(raw, source: path("vocab.json"))
            let merges = try parseMergesLines(try readLines(path("merges.txt")), source: path("merges.txt"))
            let resolved = kind ?? (vocabulary.keys.contains { $0.hasSuffix("</w>") } ? .clip : .roberta)
            return try bytePair(
                vocabulary: vocabulary, merges: merges, kind: resolved, maxLength: maxLength, source: path("merges.txt")
            )
        }
        throw EncoderError.missingFile(
            path: directory, what: "tokenizer (tokenizer.json, vocab.txt or vocab.json + merges.txt)")
    }

    // MARK: - Builders

    static func wordPiece(
        vocabulary: [String: Int], kind: Kind, lowercase: Bool, stripAccents: Bool?, handleChinese: Bool,
        maxLength: Int?, source: String, unknownToken: String? = nil, maxInputChars: Int = 100,
        specials extra: [(String, Int)] = []
    ) throws -> TextTokenizer {
        let isMPNet = kind == .mpnet
        let unknownName = unknownToken ?? (isMPNet ? "<unk>" : "[UNK]")
        guard let unknown = vocabulary[unknownName] ?? vocabulary["[UNK]"] else {
            throw EncoderError.malformedFile(path: source, reason: "vocabulary has no unknown token '\(unknownName)'")
        }
        let start = isMPNet ? vocabulary["<s>"] : vocabulary["[CLS]"]
        let end = isMPNet ? vocabulary["</s>"] : vocabulary["[SEP]"]
        guard let start, let end else {
            throw EncoderError.malformedFile(
                path: source, reason: "vocabulary lacks \(isMPNet ? "<s> / </s>" : "[CLS] / [SEP]")")
        }
        let pad = (isMPNet ? vocabulary["<pad>"] : vocabulary["[PAD]"]) ?? 0
        let specialNames =
            isMPNet ? ["<s>", "</s>", "<pad>", "<unk>", "<mask>"] : ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"]
        var specials = specialNames.compactMap { name in vocabulary[name].map { (name, $0) } }
        specials.append(contentsOf: extra)
        return TextTokenizer(
            kind: kind, maxLength: maxLength ?? 512, padding: .longest, padID: pad, startID: start, endID: end,
            unknownID: unknown, vocabularySize: (vocabulary.values.max() ?? -1) + 1,
            bert: BertPreTokenizer(lowercase: lowercase, stripAccents: stripAccents).with(handleChinese: handleChinese),
            wordPiece: WordPieceModel(vocabulary: vocabulary, unknownID: unknown, maxInputCharsPerWord: maxInputChars),
            bytePair: nil, bytePairSplit: nil, lowercaseBeforeSplit: false, specialTokens: sortedSpecials(specials))
    }

    static func bytePair(
        vocabulary: [String: Int], merges: [(String, String)], kind: Kind, maxLength: Int?, source: String,
        specials extra: [(String, Int)] = []
    ) throws -> TextTokenizer {
        let isCLIP = kind == .clip
        let startName = isCLIP ? "<|startoftext|>" : "<s>"
        let endName = isCLIP ? "<|endoftext|>" : "</s>"
        guard let start = vocabulary[startName], let end = vocabulary[endName] else {
            throw EncoderError.malformedFile(path: source, reason: "vocabulary lacks \(startName) / \(endName)")
        }
        let pad = isCLIP ? end : (vocabulary["<pad>"] ?? 1)
        let unknown = isCLIP ? end : vocabulary["<unk>"]
        let model = try BytePairModel(
            vocabulary: vocabulary, merges: merges, endOfWordSuffix: isCLIP ? "</w>" : nil, unknownID: unknown,
            source: source)
        let names = isCLIP ? [startName, endName] : ["<s>", "</s>", "<pad>", "<unk>", "<mask>"]
        var specials = names.compactMap { name in vocabulary[name].map { (name, $0) } }
        specials.append(contentsOf: extra)
        let length = maxLength ?? (isCLIP ? 77 : 512)
        return TextTokenizer(
            kind: kind, maxLength: length, padding: isCLIP ? .fixed(length) : .longest, padID: pad, startID: start,
            endID: end, unknownID: unknown, vocabularySize: (vocabulary.values.max() ?? -1) + 1, bert: nil,
            wordPiece: nil, bytePair: model, bytePairSplit: isCLIP ? .clip : .gpt2, lowercaseBeforeSplit: isCLIP,
            specialTokens: sortedSpecials(specials))
    }

    private static func sortedSpecials(_ specials: [(String, Int)]) -> [(String, Int)] {
        var seen = Set<String>()
        return specials.filter { seen.insert($0.0).inserted }.sorted { $0.0.count > $1.0.count }
    }

    /// `tokenizer.json` (the `tokenizers` serialization): model type, vocabulary, merges, normalizer
    /// flags and added special tokens.
    static func fromTokenizerJSON(_ file: String, kind: Kind?, config: [String: Any], maxLength: Int?) throws
        -> TextTokenizer
    {
        guard let root = try readJSONObject(file, optional: false), let model = root["model"] as? [String: Any] else {
            throw EncoderError.malformedFile(path: file, reason: "no 'model' object")
        }
        let type = model["type"] as? String ?? ""
        guard let rawVocabulary = model["vocab"] else {
            throw EncoderError.malformedFile(path: file, reason: "model has no 'vocab'")
        }
        var vocabulary = try intDictionary(rawVocabulary, source: file)
        var specials: [(String, Int)] = []
        for case let added as [String: Any] in root["added_tokens"] as? [Any] ?? [] {
            guard let content = added["content"] as? String, let id = added["id"] as? Int else { continue }
            if vocabulary[content] == nil { vocabulary[content] = id }
            if added["special"] as? Bool ?? false { specials.append((content, id)) }
        }
        let truncation = (root["truncation"] as? [String: Any])?["max_length"] as? Int
        let length = maxLength ?? truncation
        switch type {
        case "WordPiece":
            let normalizer = root["normalizer"] as? [String: Any] ?? [:]
            let lowercase = normalizer["lowercase"] as? Bool ?? (config["do_lower_case"] as? Bool ?? true)
            let strip = normalizer["strip_accents"] as? Bool
            let chinese = normalizer["handle_chinese_chars"] as? Bool ?? true
            let resolved = kind ?? (vocabulary["<s>"] == 0 ? .mpnet : .bert)
            return try wordPiece(
                vocabulary: vocabulary, kind: resolved, lowercase: lowercase, stripAccents: strip,
                handleChinese: chinese,
                maxLength: length, source: file, unknownToken: model["unk_token"] as? String,
                maxInputChars: model["max_input_chars_per_word"] as? Int ?? 100, specials: specials)
        case "BPE":
            let merges = try parseMergesJSON(model["merges"] as? [Any] ?? [], source: file)
            let suffix = model["end_of_word_suffix"] as? String ?? ""
            let resolved = kind ?? (suffix == "</w>" ? .clip : .roberta)
            return try bytePair(
                vocabulary: vocabulary, merges: merges, kind: resolved, maxLength: length, source: file,
                specials: specials)
        default:
            throw EncoderError.malformedFile(path: file, reason: "unsupported tokenizer model type '\(type)'")
        }
    }

    // MARK: - File helpers

    /// The lines of a tokenizer text file (LF or CRLF, byte-order mark and trailing blanks removed).
    static func readLines(_ path: String) throws -> [TextLine] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EncoderError.missingFile(path: path, what: "tokenizer file")
        }
        do { return try TextLines.read(path: path) } catch let error as PixelError {
            switch error {
            case let .invalidInput(_, line, _, reason):
                throw EncoderError.malformedFile(path: "\(path):\(line)", reason: reason)
            case let .io(_, reason): throw EncoderError.malformedFile(path: path, reason: reason)
            default: throw error
            }
        }
    }

    static func parseMergesLines(_ lines: [TextLine], source: String) throws -> [(String, String)] {
        var merges: [(String, String)] = []
        for line in lines {
            if line.text.hasPrefix("#version") || line.text.isEmpty { continue }
            let parts = line.text.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw EncoderError.malformedFile(
                    path: "\(source):\(line.number)", reason: "a merge is two tokens separated by one space")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }

    static func readJSONObject(_ path: String, optional: Bool) throws -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if optional { return nil }
            throw EncoderError.missingFile(path: path, what: "JSON file")
        }
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw EncoderError.malformedFile(path: path, reason: "top level is not a JSON object")
            }
            return object
        } catch let error as EncoderError {
            throw error
        } catch {
            throw EncoderError.malformedFile(path: path, reason: "invalid JSON")
        }
    }

    static func intDictionary(_ raw: Any, source: String) throws -> [String: Int] {
        guard let object = raw as? [String: Any] else {
            throw EncoderError.malformedFile(path: source, reason: "vocabulary is not an object of token → id")
        }
        var result: [String: Int] = [:]
        result.reserveCapacity(object.count)
        for (key, value) in object {
            guard let id = value as? Int, id >= 0 else {
                throw EncoderError.malformedFile(path: source, reason: "vocabulary entry '\(key)' has no integer id")
            }
            result[key] = id
        }
        return result
    }

    static func parseMergesJSON(_ raw: [Any], source: String) throws -> [(String, String)] {
        var merges: [(String, String)] = []
        merges.reserveCapacity(raw.count)
        for (index, entry) in raw.enumerated() {
            if let pair = entry as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else if let line = entry as? String {
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw EncoderError.malformedFile(path: source, reason: "merge \(index + 1) is not two tokens")
                }
                merges.append((String(parts[0]), String(parts[1])))
            } else {
                throw EncoderError.malformedFile(path: source, reason: "merge \(index + 1) is not a pair")
            }
        }
        return merges
    }
}

extension BertPreTokenizer {
    func with(handleChinese: Bool) -> BertPreTokenizer {
        var copy = self
        copy.handleChineseChars = handleChinese
        return copy
    }
}
