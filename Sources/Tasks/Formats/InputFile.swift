/// Reads a file and parses it; a syntax error becomes an `InputError` with its line.
enum InputFile {
    /// - Parameter edits: values replaced before parsing (a study's hardware axes), named by `origin`.
    static func load(_ path: String, edits: [InputEdit] = [], origin: String = "") throws(InputError) -> JSONReader {
        switch FileSystemRead.read(path) {
        case .bytes(let data):
            if path.lowercased().hasSuffix(".onnx") { throw onnxNotYetAWorkload(data, file: path) }
            let json = isYAML(path) ? try YAMLSubset.json(data, file: path) : data
            return try parse(InputEdit.apply(edits, to: json, file: path, origin: origin), file: path)
        case .unreadable:
            throw InputError(file: path, line: nil, path: "$", problem: "cannot read the file",
                             fix: "check the path (relative paths start from the current folder)")
        case .notARegularFile:
            throw InputError(file: path, line: nil, path: "$", problem: "not a regular file (a folder, FIFO or device)",
                             fix: "name the input file itself")
        case .tooLarge(let size):
            throw InputError(file: path, line: nil, path: "$",
                             problem: "the file has \(size) bytes, more than the \(FileSystemRead.sizeLimit >> 20) "
                                 + "MiB an input file may have",
                             fix: "check that this is the intended file; workloads, hardware and mappings are a few KB")
        }
    }

    /// ONNX models are decoded (`ONNXModel`) but not yet turned into workloads: the error says
    /// so, or why the file is not a model.
    static func onnxNotYetAWorkload(_ data: [UInt8], file: String) -> InputError {
        do {
            let model = try ONNXModel(data)
            return InputError(file: file, line: nil, path: "$",
                              problem: "an ONNX model (\(model.graph.nodes.count) nodes) cannot be used as a "
                                  + "workload yet", fix: "give the workload in accomake's JSON form (docs/formats.md, "
                                  + "\"Workload\")")
        } catch {
            return InputError(file: file, line: nil, path: "$",
                              problem: "not an ONNX model: \(error.problem) at byte \(error.offset)",
                              fix: "give an .onnx file saved by an ONNX exporter, or a workload in JSON")
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
