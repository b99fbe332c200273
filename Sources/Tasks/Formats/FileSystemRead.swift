import Foundation
import Glibc

/// Whole-file reads for input files; inside `InputSnapshot.reading` they come from the snapshot.
///
/// Input files are opened without blocking and must be regular files no larger than
/// `sizeLimit`: a FIFO or a device never hangs a command, and a huge file is refused before the
/// parser spends memory on it (docs/formats.md, "Limits").
enum FileSystemRead {
    /// The largest input file accepted: 16 MiB, about 1,000 times the largest shipped workload;
    /// an ONNX model may carry its weights, up to protobuf's own limit of 2 GiB.
    static let sizeLimit = 16 << 20
    static let onnxSizeLimit = Int(Int32.max)

    static func sizeLimit(of path: String) -> Int { ONNXWorkload.isONNX(path) ? onnxSizeLimit : sizeLimit }

    enum Outcome: Sendable {
        case bytes([UInt8])
        case unreadable
        case notARegularFile
        case tooLarge(Int)
    }

    static func bytes(_ path: String) -> [UInt8]? {
        if case .bytes(let bytes) = read(path) { return bytes }
        return nil
    }

    static func read(_ path: String) -> Outcome {
        if let snapshot = InputSnapshot.current { return snapshot.read(path) }
        return readNow(path)
    }

    static func readNow(_ path: String) -> Outcome {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .unreadable }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .unreadable }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notARegularFile }
        let size = Int(info.st_size)
        guard size <= sizeLimit(of: path) else { return .tooLarge(size) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return .unreadable }
            if n == 0 { break }  // the file shrank while it was read: what is there
            done += n
        }
        if done < size { bytes.removeSubrange(done...) }
        return .bytes(bytes)
    }

    static func exists(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && !directory.boolValue
    }
}
