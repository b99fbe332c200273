import Foundation

/// Whole-file reads for input files.
enum FileSystemRead {
    static func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }
}
