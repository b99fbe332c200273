import Foundation

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TempDirectory {
    let path: String

    init(_ name: String = "accomake-test") {
        path = NSTemporaryDirectory() + "/\(name)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func files(under sub: String) -> [String] {
        let base = path + "/" + sub
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        return e.compactMap { $0 as? String }.map { base + "/" + $0 }.filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) && !isDir.boolValue
        }
    }
}
