import Foundation

/// Whole-file reads for input files; inside `InputSnapshot.reading` they come from the snapshot.
enum FileSystemRead {
    static func bytes(_ path: String) -> [UInt8]? {
        if let snapshot = InputSnapshot.current { return snapshot.bytes(path) }
        return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    static func exists(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && !directory.boolValue
    }
}
