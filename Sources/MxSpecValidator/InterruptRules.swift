import MxSpecModel

extension ValidationContext {
  /// Interrupt sources: names unique in their set (as code and as header macros), and no two
  /// sources with the same source and extended ID — an IV entry must say which one it is.
  mutating func checkInterruptSources() {
    checkNames(spec.interruptSources, kind: "interrupt source set", in: "the specs", name: \.name, location: \.location)
    for set in spec.interruptSources {
      let scope = "interrupt source set '\(set.name)'"
      checkNames(set.sources, kind: "interrupt source", in: scope, name: \.name, location: \.location)
      var firstByHeader: [String: SourceLocation] = [:]
      var firstByID: [String: InterruptSource] = [:]
      for source in set.sources {
        if let first = firstByHeader[source.header] {
          error("header macro '\(source.header)' used twice in \(scope) (first at \(first))", at: source.location)
        } else {
          firstByHeader[source.header] = source.location
        }
        let key = "\(source.id)/\(source.extendedID.map(String.init) ?? "-")"
        if let first = firstByID[key] {
          let extended = source.extendedID.map { " and extended id \($0)" } ?? ""
          error(
            "interrupt source '\(source.name)' has the same source id \(source.id)\(extended) as '\(first.name)' (defined at \(first.location))",
            at: source.location)
        } else {
          firstByID[key] = source
        }
      }
    }
  }
}
