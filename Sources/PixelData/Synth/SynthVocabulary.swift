/// Words tied to latent item attributes, so that titles, tags and descriptions carry the signal.
enum SynthVocabulary {
    /// Per hue (8): colour words.
    static let hueWords: [[String]] = [
        ["crimson", "scarlet", "ruby"], ["amber", "tangerine", "copper"], ["golden", "lemon", "sunny"],
        ["emerald", "jade", "verdant"], ["teal", "aqua", "lagoon"], ["azure", "cobalt", "sapphire"],
        ["violet", "plum", "lilac"], ["magenta", "fuchsia", "rose"],
    ]
    /// Per hue: the tag (a topic).
    static let hueTags = ["action", "food", "travel", "nature", "ocean", "tech", "music", "fashion"]
    /// Per shape (4): nouns.
    static let shapeWords: [[String]] = [
        ["orb", "moon", "bubble"], ["block", "tile", "crate"], ["peak", "arrow", "spire"], ["gem", "kite", "crystal"],
    ]
    /// Per texture (3): adjectives.
    static let textureWords: [[String]] = [
        ["calm", "smooth", "minimal"], ["striped", "bold", "rhythmic"], ["dotted", "playful", "speckled"],
    ]
    /// Neutral filler.
    static let filler = [
        "the", "a", "story", "of", "with", "and", "new", "daily", "vlog", "episode", "best", "guide", "review", "my",
        "first", "look", "at", "how", "to", "make", "tour", "highlights", "part", "live",
    ]
    static let shapeNames = ["circle", "square", "triangle", "diamond"]
    static let textureNames = ["plain", "stripes", "dots"]
}
