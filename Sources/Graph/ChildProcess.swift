import Foundation
import Glibc

/// Starts a program with `posix_spawn` and waits with `waitpid` (engine.md §8: `Process` with
/// `waitUntilExit` costs ~30 ms per spawn on Linux). Standard output is captured; standard error
/// is inherited.
public struct ChildProcess: Sendable {
    public let pid: pid_t
    private let output: Int32

    /// The absolute path of the running executable.
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) },
                              as: UTF8.self) : CommandLine.arguments[0]
    }

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            throw SpawnError(message: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, env)
        close(pipeFDs[1])
        guard status == 0 else {
            close(pipeFDs[0])
            throw SpawnError(message: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        output = pipeFDs[0]
    }

    /// Reads standard output to its end and waits; returns (exit status or 128 + signal, output).
    public func finish() -> (status: Int32, output: [UInt8]) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(output, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        close(output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, bytes)
    }

    /// What the child has written to standard output since the last read, waiting until it writes
    /// something; nil once it closed its output (before `finish`, for a child that keeps running).
    public func readSome() -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(output, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Array(chunk[..<n]) : nil
        }
    }

    public func kill(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

    /// Whether the child has ended, without reaping it (`finish` still reads its status).
    public var hasExited: Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return true }
        return info._sifields._sigchld.si_pid == pid
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
