/// A problem with an input file: one message naming the file, the line, the JSON path, what is
/// wrong and what to do about it.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    /// JSON path, e.g. `$.memories.rf_1B.size`.
    public let path: String
    public let problem: String
    public let fix: String
    /// The column on `line`, when the reader knows it (a YAML syntax error): `file:line:column`.
    public var column: Int?

    public init(file: String, line: Int?, path: String, problem: String, fix: String, column: Int? = nil) {
        self.file = file; self.line = line; self.path = path; self.problem = problem; self.fix = fix
        self.column = column
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" + (column.map { ":\($0)" } ?? "") } ?? file
        return "\(place): \(path): \(problem); \(fix)"
    }
}
