/// Parameters or an artifact that do not have the shape their node's operator expects: a
/// programming error (a form changed without bumping the operator's version), reported as the
/// node's failure rather than trapping.
struct MalformedArtifact: Error, CustomStringConvertible {
    let description: String
}
