import Synchronization

/// Keeps the first error thrown by parallel workers.
final class FirstError: Sendable {
    private let storage = Mutex<(any Error)?>(nil)

    var isSet: Bool { storage.withLock { $0 != nil } }
    var error: (any Error)? { storage.withLock { $0 } }

    func set(_ error: any Error) {
        storage.withLock { if $0 == nil { $0 = error } }
    }
}
