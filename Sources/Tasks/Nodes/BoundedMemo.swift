import Synchronization

/// A memo that forgets its oldest entry once it holds `capacity`: for values many nodes of one
/// run need close together in time (the stacks of one trunk over its tile sizes and modes), so
/// that a large study's memory does not grow with it.
struct BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private var values: [Key: Value] = [:]
    private var order: [Key] = []
    private var next = 0

    init(capacity: Int) { self.capacity = capacity }

    subscript(key: Key) -> Value? { values[key] }

    mutating func remember(_ value: Value, for key: Key) {
        guard values.updateValue(value, forKey: key) == nil else { return }
        if order.count < capacity {
            order.append(key)
        } else {
            values.removeValue(forKey: order[next])
            order[next] = key
            next = (next + 1) % capacity
        }
    }
}

/// A `BoundedMemo` shared by the tasks of a process: a value is looked up under the lock and,
/// when missing, made outside it (two tasks may make the same one at once; equal keys make equal
/// values, and the first one kept stays).
final class SharedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let memo: Mutex<BoundedMemo<Key, Value>>

    init(capacity: Int) { memo = Mutex(BoundedMemo(capacity: capacity)) }

    func value(for key: Key, orMake make: () throws -> Value) rethrows -> Value {
        if let known = memo.withLock({ $0[key] }) { return known }
        let value = try make()
        memo.withLock { $0.remember(value, for: key) }
        return value
    }
}
