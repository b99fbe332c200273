import Dispatch
import Foundation
import Glibc
import Synchronization

/// A loopback HTTP server that stores what is PUT and serves it back, and misbehaves on purpose
/// on GET: it stalls, answers 500, sends a short body, closes in the middle of a body, or serves
/// bytes of another digest. Bounded: it answers at most `maxRequests` requests and stops accepting
/// after `lifetime` seconds, so a test that goes wrong cannot hang on it. It serves on threads of
/// its own, never on Dispatch's shared pool: there the executor's long-lived workers under test
/// could keep it waiting for seconds on a loaded machine, and the client would time out and retry.
final class FaultyServer: Sendable {
    enum Fault: Sendable {
        /// Behaves (stores and serves).
        case none
        /// Reads the request and never answers.
        case stall
        /// 500 Internal Server Error.
        case status500
        /// A complete response whose body is the first half of the stored bytes.
        case shortBody
        /// Announces the full length, sends half, closes.
        case closeMidBody
        /// The stored bytes with one byte changed (same length, another digest).
        case wrongDigest
        /// Behaves, but closes every connection after its first answer (without saying so), so
        /// requests pipelined behind the first one are never answered.
        case oneAnswerPerConnection
    }

    let port: UInt16
    let fault: Fault
    private let listener: Int32
    private let stored = Mutex<[String: [UInt8]]>([:])
    private let counts = Mutex((requests: 0, gets: 0, paths: Set<String>()))
    private let stopped = Atomic<Bool>(false)
    private let maxRequests: Int
    private let deadline: Double

    init(fault: Fault, maxRequests: Int = 2_000, lifetime: Double = 120) throws {
        self.fault = fault
        self.maxRequests = maxRequests
        deadline = Date().timeIntervalSince1970 + lifetime
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let server = self
        Thread { server.acceptLoop() }.start()
    }

    var url: String { "http://127.0.0.1:\(port)/cache" }
    var requests: Int { counts.withLock { $0.requests } }
    var gets: Int { counts.withLock { $0.gets } }
    /// The distinct paths asked for with GET (a client's retry of one asks one path twice).
    var pathsAsked: Set<String> { counts.withLock { $0.paths } }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { close(listener) }

    private var over: Bool { stopped.load(ordering: .relaxed) || Date().timeIntervalSince1970 > deadline }

    private func acceptLoop() {
        while !over {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            Thread { self.serve(client) }.start()
        }
    }

    /// Serves requests on one connection until the client closes it or a fault ends it.
    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        var answeredHere = false
        while !over {
            guard let (method, path, body) = readRequest(fd, &buffer) else { return }
            let n = counts.withLock { c -> Int in
                c.requests += 1
                if method == "GET" {
                    c.gets += 1
                    c.paths.insert(path)
                }
                return c.requests
            }
            guard n <= maxRequests else { return }
            if fault == .oneAnswerPerConnection, answeredHere { return }
            answeredHere = true
            switch method {
            case "PUT":
                stored.withLock { $0[path] = body }
                respond(fd, status: 201, body: [])
            case "HEAD":
                let exists = stored.withLock { $0[path] != nil }
                write(fd, "HTTP/1.1 \(exists ? 200 : 404) X\r\nContent-Length: 0\r\n\r\n")
            default:
                guard let bytes = stored.withLock({ $0[path] }) else {
                    respond(fd, status: 404, body: Array("not found".utf8))
                    continue
                }
                switch fault {
                case .none, .oneAnswerPerConnection: respond(fd, status: 200, body: bytes)
                case .stall:
                    // Hold the connection until the client gives up (or the server's lifetime ends).
                    while !over {
                        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                        var b = [UInt8](repeating: 0, count: 256)
                        if poll(&p, 1, 100) > 0, recv(fd, &b, 256, 0) <= 0 { return }
                    }
                    return
                case .status500: respond(fd, status: 500, body: Array("boom".utf8))
                case .shortBody: respond(fd, status: 200, body: Array(bytes.prefix(bytes.count / 2)))
                case .closeMidBody:
                    write(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(bytes.count)\r\n\r\n")
                    _ = bytes.prefix(bytes.count / 2).withUnsafeBytes {
                        send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                    }
                    return
                case .wrongDigest:
                    var changed = bytes
                    if !changed.isEmpty { changed[changed.count / 2] ^= 0x5A }
                    respond(fd, status: 200, body: changed)
                }
            }
        }
    }

    private func respond(_ fd: Int32, status: Int, body: [UInt8]) {
        write(fd, "HTTP/1.1 \(status) X\r\nContent-Length: \(body.count)\r\n\r\n")
        _ = body.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One request (method, path, body), or nil when the connection ended.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> (String, String, [UInt8])? {
        let end: Int
        while true {
            if let e = find(buffer, [13, 10, 13, 10]) { end = e; break }
            guard fill(fd, &buffer) else { return nil }
        }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        let lines = head.components(separatedBy: "\r\n")
        let first = lines[0].split(separator: " ")
        guard first.count >= 2 else { return nil }
        var length = 0
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while buffer.count < length { guard fill(fd, &buffer) else { return nil } }
        let body = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        return (String(first[0]), String(first[1]), body)
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        while !over {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return false }
            buffer += chunk[0..<n]
            return true
        }
        return false
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<i + needle.count].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
