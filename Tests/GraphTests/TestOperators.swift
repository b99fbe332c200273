import Graph
import Synchronization

/// Small operators over canonical integers, shared by the executor tests.
enum TestOps {
    static func int(_ bytes: [UInt8]) -> Int64 {
        (try? CanonicalDecoder.decode(bytes))?.intValue ?? -1
    }

    static func bytes(_ v: Int64) -> [UInt8] { (try? CanonicalEncoder.encode(.int(v))) ?? [] }

    struct Failed: Error, CustomStringConvertible { var description: String { "injected failure" } }

    /// Outputs params["value"].
    static let const = Operator("test.const", version: 1) { input in
        .done(bytes(input.params["value"]?.intValue ?? 0))
    }

    /// Outputs (sum of dependencies + params["add"]) modulo params["mod"] (default: no modulo);
    /// throws when params["fail"] is true.
    static let sum = Operator("test.sum", version: 1) { input in
        if input.params["fail"]?.boolValue == true { throw Failed() }
        var total = input.params["add"]?.intValue ?? 0
        for d in try input.dependencies { total &+= int(d.bytes) }
        if let mod = input.params["mod"]?.intValue, mod > 0 { total = ((total % mod) + mod) % mod }
        return .done(bytes(total))
    }

    /// Asks for `test.const` nodes whose values are its first dependency's output and that + 1,
    /// then outputs their sum: a dependency discovered from an input.
    static let dynamicPair = Operator("test.dynamicPair", version: 1) { input in
        let base = int(try input.dependency(0).bytes)
        let requests = [NodeRequest("test.const", ["value": .int(base)]),
                        NodeRequest("test.const", ["value": .int(base + 1)])]
        return .need(requests) { outputs in
            .done(bytes(outputs.reduce(0) { $0 + int($1.bytes) }))
        }
    }
}

/// Counts runs per operator invocation, for tests that check what really executed.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
