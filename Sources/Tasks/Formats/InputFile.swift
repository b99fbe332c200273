/// Reads a file and parses it; a syntax error becomes an `InputError` with its line.
enum InputFile {
    /// - Parameter edits: values replaced before parsing (a study's hardware axes), named by `origin`.
    static func load(_ path: String, edits: [InputEdit] = [], origin: String = "") throws(InputError) -> JSONReader {
        let data = try bytes(path)
        if ONNXWorkload.isONNX(path) {
            throw InputError(file: path, line: nil, path: "$",
                             problem: "an ONNX model is read as a workload, not as hardware, a mapping or a study",
                             fix: "give it as the workload (--workload, or a study's \"workload\")")
        }
        let json = isYAML(path) ? try YAMLSubset.json(data, file: path) : data
        return try parse(InputEdit.apply(edits, to: json, file: path, origin: origin), file: path)
    }

    /// The bytes of an input file, or one error saying why it cannot be read.
    static func bytes(_ path: String) throws(InputError) -> [UInt8] {
        switch FileSystemRead.read(path) {
        case .bytes(let data):
            return data
        case .unreadable:
            throw InputError(file: path, line: nil, path: "$", problem: "cannot read the file",
                             fix: "check the path (relative paths start from the current folder)")
        case .notARegularFile:
            throw InputError(file: path, line: nil, path: "$", problem: "not a regular file (a folder, FIFO or device)",
                             fix: "name the input file itself")
        case .tooLarge(let size):
            let limit = FileSystemRead.sizeLimit(of: path) >> 20
            throw InputError(file: path, line: nil, path: "$",
                             problem: "the file has \(size) bytes, more than the \(limit) MiB an input file may have",
                             fix: "check that this is the intended file; workloads, hardware and mappings are a few "
                                 + "KB, ONNX models without weights a few hundred")
        }
    }

    /// A `.yaml` or `.yml` file is read as YAML (the part `YAMLSubset` reads), anything else as JSON.
    static func isYAML(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")
    }

    static func parse(_ data: [UInt8], file: String) throws(InputError) -> JSONReader {
        do {
            return JSONReader(node: try JSONParser.parse(data), path: "$", file: file)
        } catch {
            throw InputError(file: file, line: error.line, path: "$",
                             problem: "not valid JSON (\(error.message) at column \(error.column))",
                             fix: "fix the syntax (a YAML file must end in .yaml or .yml)")
        }
    }
}
