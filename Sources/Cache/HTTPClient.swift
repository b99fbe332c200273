import Glibc
import Synchronization

/// Where a remote cache lives: `http://host[:port][/path]`.
public struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// The path prefix, without a trailing slash ("" or "/cache").
    public var basePath: String

    /// Parses a cache URL; the message says what is wrong and how to write it.
    public init(_ url: String) throws(HTTPError) {
        if url.lowercased().hasPrefix("https://") {
            throw .badURL("\(url): accomake speaks plain HTTP only (no TLS); use an http:// URL on a trusted "
                          + "network, or put a TLS-terminating proxy on this machine and point accomake at it")
        }
        guard url.lowercased().hasPrefix("http://") else {
            throw .badURL("\(url): a remote cache URL starts with http:// (e.g. http://cache.lab:8080/accomake)")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        var path = String(rest.dropFirst(authority.count))
        while path.hasSuffix("/") { path.removeLast() }
        var host = String(authority), port: UInt16 = 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasPrefix("[") {
            guard let p = UInt16(authority[authority.index(after: colon)...]), p > 0 else {
                throw .badURL("\(url): the port after ':' must be a number from 1 to 65535")
            }
            host = String(authority[..<colon])
            port = p
        }
        guard !host.isEmpty, !host.contains("@"), !path.contains("?"), !path.contains("#") else {
            throw .badURL("\(url): write the cache as http://host[:port][/path], without user, query or fragment")
        }
        self.host = host
        self.port = port
        basePath = path
    }

    public var description: String { "http://\(host)\(port == 80 ? "" : ":\(port)")\(basePath)" }
}

/// Why a request did not give an answer (a status code is an answer, not an error).
public enum HTTPError: Error, CustomStringConvertible, Equatable {
    case badURL(String)
    /// No connection: refused, unreachable, name not resolved.
    case unreachable(String)
    case timedOut
    /// The server closed the connection or sent something that is not HTTP/1.1.
    case broken(String)

    public var description: String {
        switch self {
        case .badURL(let m): m
        case .unreachable(let m): "cannot connect: \(m)"
        case .timedOut: "timed out"
        case .broken(let m): "broken response: \(m)"
        }
    }
}

/// A status and a body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
}

/// A small HTTP/1.1 client over POSIX sockets, enough for a cache: GET, HEAD and PUT with a
/// `Content-Length` body, keep-alive connections reused from a pool, and a deadline on every
/// request (a silent server costs at most `timeout`, never a hang). Written here rather than
/// taken from Foundation's networking so that its timeouts, limits and failure modes are ours
/// and tested (Tests/CacheTests/RemoteCacheTests.swift against nginx and a faulty server).
public final class HTTPClient: Sendable {
    public let endpoint: HTTPEndpoint
    /// One extra request header (`Authorization: Bearer …`); never printed.
    let header: (name: String, value: String)?
    /// Per request, from the first connect attempt to the last body byte.
    public let timeout: Double
    /// Bodies larger than this are refused (a cache entry is never near it).
    public let maxBody: Int
    private let idle = Mutex<[Int32]>([])

    public init(endpoint: HTTPEndpoint, header: (name: String, value: String)? = nil, timeout: Double = 10,
                maxBody: Int = 1 << 30) {
        self.endpoint = endpoint
        self.header = header
        self.timeout = timeout
        self.maxBody = maxBody
    }

    deinit {
        for fd in idle.withLock({ $0 }) { close(fd) }
    }

    /// Sends one request; a reused connection the server had closed is retried once on a fresh one.
    public func request(_ method: String, _ path: String, body: [UInt8] = []) throws(HTTPError) -> HTTPResponse {
        let deadline = Self.now() + timeout
        if let fd = idle.withLock({ $0.popLast() }) {
            if let response = try? exchange(fd, method, path, body, deadline: deadline) { return response }
        }
        let fd = try connect(deadline: deadline)
        return try exchange(fd, method, path, body, deadline: deadline)
    }

    // MARK: Connection

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Milliseconds left before `deadline` (at least 1 while time remains), or nil when it passed.
    static func remaining(_ deadline: Double) -> Int32? {
        let left = deadline - now()
        return left > 0 ? Int32(min(Double(Int32.max), max(1, left * 1000))) : nil
    }

    func connect(deadline: Double) throws(HTTPError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let host = endpoint.host.hasPrefix("[") ? String(endpoint.host.dropFirst().dropLast()) : endpoint.host
        let code = getaddrinfo(host, String(endpoint.port), &hints, &list)
        guard code == 0, let first = list else {
            throw .unreachable("\(endpoint.host): \(String(cString: gai_strerror(code)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let a = entry {
            entry = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastError = String(cString: strerror(errno))
                close(fd)
                continue
            }
            guard let wait = Self.remaining(deadline), Self.poll(fd, events: Int16(POLLOUT), ms: wait) else {
                close(fd)
                throw .timedOut
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure == 0 { return fd }
            lastError = String(cString: strerror(failure))
            close(fd)
        }
        throw .unreachable("\(endpoint.host):\(endpoint.port): \(lastError)")
    }

    /// Waits until `fd` is ready for `events`; false on timeout.
    static func poll(_ fd: Int32, events: Int16, ms: Int32) -> Bool {
        var p = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let r = Glibc.poll(&p, 1, ms)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }

    // MARK: One exchange

    /// Writes the request and reads the response on `fd`; the connection goes back to the pool
    /// when both sides keep it alive, else it is closed.
    func exchange(_ fd: Int32, _ method: String, _ path: String, _ body: [UInt8],
                  deadline: Double) throws(HTTPError) -> HTTPResponse {
        var reusable = false
        defer {
            if reusable { idle.withLock { $0.append(fd) } } else { close(fd) }
        }
        var bytes = requestHead(method, path, bodyCount: body.count)
        if !body.isEmpty { bytes += body }
        try send(fd, bytes, deadline: deadline)
        var reader = Reader(fd: fd, deadline: deadline)
        let (response, keepAlive) = try reader.response(to: method, maxBody: maxBody)
        reusable = keepAlive && reader.buffered == 0
        return response
    }

    /// Sends `requests` back to back on one connection and then reads their responses in order
    /// (HTTP/1.1 pipelining): one round trip and one wake-up for a batch of small uploads instead
    /// of one each. Returns the responses that came, in order — fewer than asked when the
    /// connection failed or closed part-way; the caller sends the rest one by one. A reused
    /// connection the server had closed is retried once on a fresh one.
    public func pipeline(_ requests: [(method: String, path: String, body: [UInt8])]) -> [HTTPResponse] {
        guard !requests.isEmpty else { return [] }
        let deadline = Self.now() + timeout
        var bytes: [UInt8] = []
        bytes.reserveCapacity(requests.reduce(0) { $0 + $1.body.count + 256 })
        for r in requests {
            bytes += requestHead(r.method, r.path, bodyCount: r.body.count)
            bytes += r.body
        }
        if let fd = idle.withLock({ $0.popLast() }) {
            let answered = pipeline(fd, bytes, requests.map(\.method), deadline: deadline)
            if !answered.isEmpty { return answered }
        }
        guard let fd = try? connect(deadline: deadline) else { return [] }
        return pipeline(fd, bytes, requests.map(\.method), deadline: deadline)
    }

    private func pipeline(_ fd: Int32, _ bytes: [UInt8], _ methods: [String], deadline: Double) -> [HTTPResponse] {
        var responses: [HTTPResponse] = []
        var reusable = false
        defer {
            if reusable { idle.withLock { $0.append(fd) } } else { close(fd) }
        }
        do {
            try send(fd, bytes, deadline: deadline)
            var reader = Reader(fd: fd, deadline: deadline)
            for method in methods {
                let (response, keepAlive) = try reader.response(to: method, maxBody: maxBody)
                responses.append(response)
                guard keepAlive else { return responses }
            }
            reusable = reader.buffered == 0
        } catch {}
        return responses
    }

    /// The request line and headers, with `Content-Length` for a PUT or POST.
    func requestHead(_ method: String, _ path: String, bodyCount: Int) -> [UInt8] {
        var head = "\(method) \(endpoint.basePath)\(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\n"
            + "User-Agent: accomake\r\nAccept: */*\r\n"
        if let header { head += "\(header.name): \(header.value)\r\n" }
        if method == "PUT" || method == "POST" {
            head += "Content-Length: \(bodyCount)\r\nContent-Type: application/octet-stream\r\n"
        }
        head += "\r\n"
        return Array(head.utf8)
    }

    func send(_ fd: Int32, _ bytes: [UInt8], deadline: Double) throws(HTTPError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent,
                                                       Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                guard let wait = Self.remaining(deadline), Self.poll(fd, events: Int16(POLLOUT), ms: wait) else {
                    throw .timedOut
                }
                continue
            }
            throw .broken("the connection closed while sending (\(String(cString: strerror(errno))))")
        }
    }
}

/// Reads a response from a non-blocking socket, each wait bounded by the request's deadline.
struct Reader {
    let fd: Int32
    let deadline: Double
    var buffer: [UInt8] = []
    var position = 0

    init(fd: Int32, deadline: Double) {
        self.fd = fd
        self.deadline = deadline
    }

    var buffered: Int { buffer.count - position }

    /// Reads more bytes straight into the buffer (at least `atLeast` bytes of room, 4 KiB for a
    /// head, the rest of a body when its length is known); false at the end of the stream. No
    /// scratch array per read: a fresh 64 KiB one per call made every request of a study's upload
    /// allocate, zero and free it again, and the heap's trims and page faults cost more than the
    /// request.
    mutating func fill(atLeast room: Int = 4096) throws(HTTPError) -> Bool {
        if position > 0 && position == buffer.count { buffer.removeAll(keepingCapacity: true); position = 0 }
        let want = min(max(room, 4096), 1 << 20), old = buffer.count
        var received = 0
        buffer.append(contentsOf: repeatElement(0, count: want))
        defer { buffer.removeLast(want - received) }
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + old, want, 0) }
            if n > 0 {
                received = n
                return true
            }
            if n == 0 { return false }
            guard errno == EAGAIN || errno == EINTR else {
                throw .broken("the connection failed (\(String(cString: strerror(errno))))")
            }
            guard let wait = HTTPClient.remaining(deadline), HTTPClient.poll(fd, events: Int16(POLLIN), ms: wait)
            else { throw .timedOut }
        }
    }

    /// One response to a `method` request: its status and body, and whether the server keeps
    /// the connection open after it.
    mutating func response(to method: String, maxBody: Int) throws(HTTPError) -> (HTTPResponse, keepAlive: Bool) {
        let (status, headers) = try head()
        var keepAlive = headers["connection"]?.lowercased() != "close"
        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            // No body.
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try chunked(limit: maxBody)
        } else if let text = headers["content-length"] {
            guard let length = Int(text.trimmingWhitespace), length >= 0 else {
                throw .broken("Content-Length '\(text)'")
            }
            guard length <= maxBody else { throw .broken("a body of \(length) bytes (limit \(maxBody))") }
            body = try exactly(length)
        } else {
            body = try untilClose(limit: maxBody)
            keepAlive = false
        }
        return (HTTPResponse(status: status, body: body), keepAlive)
    }

    /// One CRLF-terminated line (without the CRLF); lines are kept under 16 KiB.
    mutating func line() throws(HTTPError) -> String {
        while true {
            if let end = buffer[position...].firstIndex(of: 10) {
                var bytes = buffer[position..<end]
                if bytes.last == 13 { bytes = bytes.dropLast() }
                position = end + 1
                return String(decoding: bytes, as: UTF8.self)
            }
            guard buffered < 16_384 else { throw .broken("a header line over 16 KiB") }
            guard try fill() else { throw .broken("the connection closed before the response ended") }
        }
    }

    /// The status code and the headers (names lower-cased).
    mutating func head() throws(HTTPError) -> (Int, [String: String]) {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .broken("status line '\(statusLine.prefix(60))'")
        }
        var headers: [String: String] = [:]
        for _ in 0..<200 {
            let l = try line()
            if l.isEmpty { return (status, headers) }
            guard let colon = l.firstIndex(of: ":") else { throw .broken("header line '\(l.prefix(60))'") }
            headers[l[..<colon].lowercased()] = String(l[l.index(after: colon)...]).trimmingWhitespace
        }
        throw .broken("more than 200 header lines")
    }

    mutating func exactly(_ count: Int) throws(HTTPError) -> [UInt8] {
        while buffered < count {
            guard try fill(atLeast: count - buffered) else {
                throw .broken("the body ended after \(buffered) of \(count) bytes")
            }
        }
        defer { position += count }
        return Array(buffer[position..<position + count])
    }

    mutating func untilClose(limit: Int) throws(HTTPError) -> [UInt8] {
        while try fill() { guard buffered <= limit else { throw .broken("a body over \(limit) bytes") } }
        defer { position = buffer.count }
        return Array(buffer[position...])
    }

    mutating func chunked(limit: Int) throws(HTTPError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try line()
            guard let size = Int(sizeLine.prefix { $0 != ";" }.trimmingWhitespace, radix: 16), size >= 0 else {
                throw .broken("chunk size '\(sizeLine.prefix(20))'")
            }
            if size == 0 {
                while try !line().isEmpty {}
                return body
            }
            guard body.count + size <= limit else { throw .broken("a body over \(limit) bytes") }
            body += try exactly(size)
            _ = try line()
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs, by bytes: header text is ASCII, and walking
    /// it as characters from both ends was a sixth of a remote walk's time.
    var trimmingWhitespace: String {
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
