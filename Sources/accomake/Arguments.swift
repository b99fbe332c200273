/// A usage error: printed as one line with the fix, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Command-line arguments of one subcommand: `--name value` options, `--flag`s and positionals.
/// Every option must be declared; an unknown one is an error that names it.
struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// - Parameters:
    ///   - options: names that take a value (`-j` included as `j`).
    ///   - flags: names without a value.
    init(_ args: ArraySlice<String>, command: String, options: Set<String>, flags: Set<String>) throws(UsageError) {
        var rest = args[...]
        while let arg = rest.popFirst() {
            if arg == "--" {
                positionals.append(contentsOf: rest)
                break
            }
            guard arg.hasPrefix("-"), arg.count > 1 else {
                positionals.append(arg)
                continue
            }
            var name = String(arg.drop(while: { $0 == "-" }))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            // `-j` and `--jobs` are one option.
            let canonical = name == "jobs" ? "j" : name
            guard !self.flags.contains(name), values[canonical] == nil else {
                throw UsageError("\(command): \(arg.split(separator: "=").first ?? "") is given twice; give it once")
            }
            if flags.contains(name) {
                guard inline == nil else { throw UsageError("\(command): --\(name) takes no value") }
                self.flags.insert(name)
            } else if options.contains(name) {
                guard let value = inline ?? rest.popFirst() else {
                    throw UsageError("\(command): \(arg) needs a value")
                }
                values[canonical] = value
            } else {
                let known = (options.map { "--\($0)" } + flags.map { "--\($0)" }).sorted().joined(separator: ", ")
                throw UsageError("\(command): unknown option \(arg) (known: \(known.isEmpty ? "none" : known))")
            }
        }
        // Checked now, not when a graph first runs: a run the shortcut answers must refuse `-j 0` too.
        _ = try jobs(default: 1)
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func value(_ name: String) -> String? { values[name] }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int> = 1...Int.max) throws(UsageError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw UsageError("--\(name) \(text): expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// `-j N`: parallel jobs; default the active processor count.
    func jobs(default fallback: Int) throws(UsageError) -> Int {
        if let j = values["j"] {
            guard let v = Int(j), v >= 1, v <= 1024 else {
                throw UsageError("-j \(j): expected a number of jobs from 1 to 1024")
            }
            return v
        }
        return fallback
    }
}

/// Sizes like `512M`, `10G`, `4096` (bytes) and ages like `30d`, `12h`, `90m`, `45s`.
enum Quantity {
    /// `label` names where the text came from in the error: `--max-size` or `ACCOMAKE_CACHE_MAX_SIZE=`.
    static func bytes(_ text: String, label: String) throws(UsageError) -> Int64 {
        try scaled(text, label: label, units: ["": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40],
                   example: "512M or 10G")
    }

    static func seconds(_ text: String, label: String) throws(UsageError) -> Int64 {
        try scaled(text, label: label, units: ["": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400], example: "30d or 12h")
    }

    private static func scaled(_ text: String, label: String, units: [String: Int64],
                               example: String) throws(UsageError) -> Int64 {
        let digits = text.prefix(while: \.isNumber)
        let unit = String(text.dropFirst(digits.count))
        // Units in either case (`10g`, `30D`): the two tables have no names that differ only in case.
        guard let n = Int64(digits),
            let scale = units.first(where: { $0.key.lowercased() == unit.lowercased() })?.value,
              n.multipliedReportingOverflow(by: scale).overflow == false
        else { throw UsageError("\(label)\(text): expected a number with an optional unit, e.g. \(example)") }
        return n * scale
    }
}
