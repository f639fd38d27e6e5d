/// A least-recently-used map from key to tensor with a fixed capacity (0 = stores nothing).
///
/// Nodes live in arrays linked by indices (no per-entry objects); `get` and `put` are O(1).
struct LRUStore {
    let capacity: Int
    var index: [String: Int] = [:]
    var keys: [String] = []
    var values: [[Float]] = []
    var previous: [Int] = []
    var next: [Int] = []
    /// Most recent and least recent node, −1 when empty.
    var head = -1
    var tail = -1

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { index.count }

    mutating func unlink(_ node: Int) {
        if previous[node] >= 0 { next[previous[node]] = next[node] } else { head = next[node] }
        if next[node] >= 0 { previous[next[node]] = previous[node] } else { tail = previous[node] }
    }

    mutating func pushFront(_ node: Int) {
        previous[node] = -1
        next[node] = head
        if head >= 0 { previous[head] = node }
        head = node
        if tail < 0 { tail = node }
    }

    mutating func get(_ key: String) -> [Float]? {
        guard let node = index[key] else { return nil }
        if node != head {
            unlink(node)
            pushFront(node)
        }
        return values[node]
    }

    /// Stores `value` under `key` as the most recent entry.
    /// - Returns: whether the least recently used entry was dropped to make room.
    @discardableResult
    mutating func put(_ key: String, _ value: [Float]) -> Bool {
        guard capacity > 0 else { return false }
        if let node = index[key] {
            values[node] = value
            if node != head {
                unlink(node)
                pushFront(node)
            }
            return false
        }
        let node: Int
        let evicts = index.count >= capacity
        if !evicts {
            node = keys.count
            keys.append(key)
            values.append(value)
            previous.append(-1)
            next.append(-1)
        } else {
            // Reuse the least recently used node.
            node = tail
            unlink(node)
            index[keys[node]] = nil
            keys[node] = key
            values[node] = value
        }
        index[key] = node
        pushFront(node)
        return evicts
    }

    mutating func removeAll() { self = LRUStore(capacity: capacity) }
}
