import MxSpecModel

/// Imports an IV source header (`include/ivsrcid/ivsrcid_vislands30.h`): every `#define` with a
/// number is a source ID (`…_IV_SRCID_X`) or an extended ID (`…_IV_EXTID_X`), or, under another
/// name, a source ID the header spells differently (`VISLANDS30_IV_SRBM_REG_ACCESS_ERROR`).
///
/// Rules, each reported:
/// - An extended ID joins the source ID of the same suffix (`EXTID_D1_VERTICAL_INTERRUPT0` with
///   `SRCID_D1_VERTICAL_INTERRUPT0`); one without such a source ID is a source of its own with the
///   source ID whose suffix is the longest prefix of its suffix (`EXTID_VCE_TRAP_LOW_LATENCY` →
///   `VCE_TRAP_LOW_LATENCY`, source ID of `SRCID_VCE_TRAP`).
/// - An extended ID with no such source ID (`EXTID_NONE`, `EXTID_INVALID`: values, not sources)
///   is left out, and so is a source ID wider than the IV's 8 bits (`SRCID_VM_CONTEXT_ALL`, 0x100,
///   which the header calls not a real source ID) with the extended IDs that join it.
/// - A macro defined twice with the same value is one source; with another value, an error.
/// - The name code uses is the macro without `<set>_IV_SRCID_`, or without `<set>_IV_`; a macro
///   of another family (`CARRIZO_IV_SRCID_…`) keeps its whole name.
public struct InterruptSourceImporter: Sendable {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The set's name, lower case (`vislands30`); its macros start with it upper-cased.
  public let setName: String

  public init(setName: String) {
    self.setName = setName
  }

  public func run(header text: String, path: String) throws(Failure) -> (
    set: InterruptSourceSet, report: [String]
  ) {
    let family = setName.uppercased() + "_IV_"
    var values: [String: (value: UInt64, line: Int)] = [:]
    var order: [String] = []
    var report: [String] = []
    for define in CHeader(text: text).defines {
      if let first = values[define.name] {
        guard first.value == define.value else {
          throw Failure(
            description:
              "\(path):\(define.line): \(define.name) is \(define.value), but \(first.value) at line \(first.line)")
        }
        report.append("\(define.name): defined again at line \(define.line) with the same value; one source")
        continue
      }
      values[define.name] = (define.value, define.line)
      order.append(define.name)
    }
    let sourcePrefix = family + "SRCID_"
    let extendedPrefix = family + "EXTID_"
    func location(_ macro: String) -> SourceLocation {
      SourceLocation(file: path, line: values[macro]!.line, column: 1)
    }
    func codeName(_ macro: String) -> String {
      if macro.hasPrefix(sourcePrefix) { return String(macro.dropFirst(sourcePrefix.count)) }
      if macro.hasPrefix(family) { return String(macro.dropFirst(family.count)) }
      return macro
    }
    let sourceSuffixes = Set(
      order.filter { $0.hasPrefix(sourcePrefix) }.map { String($0.dropFirst(sourcePrefix.count)) })
    var sources: [InterruptSource] = []
    var joined: Set<String> = []
    for macro in order where macro.hasPrefix(extendedPrefix) {
      let suffix = String(macro.dropFirst(extendedPrefix.count))
      let base =
        sourceSuffixes.contains(suffix)
        ? suffix : sourceSuffixes.filter({ suffix.hasPrefix($0 + "_") }).max(by: { $0.count < $1.count })
      guard let base else {
        report.append("\(macro): left out, no source ID of its name (a value, not a source)")
        continue
      }
      let source = sourcePrefix + base
      guard values[source]!.value <= 0xFF else { continue }  // reported with its source ID below
      let own = base != suffix
      if own {
        report.append("\(macro): a source of its own, with the source ID of \(source)")
      } else {
        joined.insert(source)
      }
      sources.append(
        InterruptSource(
          name: suffix, header: own ? macro : source, id: UInt32(values[source]!.value),
          extendedID: UInt32(values[macro]!.value), doc: own ? "Source ID: `\(source)`." : "Extended ID: `\(macro)`.",
          location: location(own ? macro : source)))
    }
    for macro in order where !macro.hasPrefix(extendedPrefix) && !joined.contains(macro) {
      let value = values[macro]!.value
      guard value <= 0xFF else {
        report.append("\(macro): left out, \(Hex.literal(value)) is wider than the IV's 8-bit source ID")
        continue
      }
      if !macro.hasPrefix(sourcePrefix) {
        report.append("\(macro): a source ID under another name, '\(codeName(macro))'")
      }
      sources.append(
        InterruptSource(name: codeName(macro), header: macro, id: UInt32(value), location: location(macro)))
    }
    sources.sort { ($0.location.line, $0.name) < ($1.location.line, $1.name) }
    report.insert("\(setName): \(sources.count) interrupt sources", at: 0)
    return (
      InterruptSourceSet(name: setName, sources: sources, location: SourceLocation(file: path, line: 1, column: 1)),
      report
    )
  }
}
