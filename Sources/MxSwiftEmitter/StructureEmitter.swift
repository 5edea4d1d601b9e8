import MxSpecModel

/// Emits the `MxStructures` module: per structure a view type over caller memory (a
/// `MemoryStructure`), with a property per member — a dword, the value of the register it
/// mirrors, a `DwordArray`, or the nested structure — and per address pair an `AddressField`
/// that checks alignment and width. Bodies only name dword indices; the memory access lives once
/// in the `MxMemory` runtime.
public struct StructureEmitter: Sendable {
  public static let moduleName = "MxStructures"

  /// The module that declares the registers members mirror, when not their block's own
  /// (`MxRuntimeRegisters`, which holds every register an MQD member mirrors).
  public var registerModule: String?

  public init(registerModule: String? = nil) {
    self.registerModule = registerModule
  }

  public func emit(_ structures: [Structure], addresses: [AddressPair], blocks: [Block]) -> [GeneratedFile] {
    let pairs = Dictionary(grouping: addresses, by: \.structure)
    return structures.sorted { $0.name < $1.name }.map { structure in
      let registerModule = structure.registerBlock.flatMap { id in
        self.registerModule ?? blocks.first { $0.id == id }?.moduleName
      }
      var writer = SwiftWriter()
      writer.line(GeneratedFile.banner)
      writer.line("// Memory structure \(structure.name).")
      writer.line()
      for module in (["MxMMIO", "MxMemory"] + [registerModule].compactMap { $0 }).sorted() {
        writer.line("import \(module)")
      }
      writer.line()
      writer.doc(
        "`\(structure.name)`: \(structure.sizeInDwords) dwords (\(structure.sizeInDwords * 4) bytes)"
          + (structure.registerBlock.map { "; members mirror registers of \($0)" } ?? "") + ".",
        structure.doc,
        "A view of memory the caller owns: reading a member reads that memory, setting it writes it.")
      writer.block("public struct \(SwiftNaming.identifier(structure.name)): MemoryStructure") { body in
        body.line("@inlinable public static var dwordCount: Int { \(structure.sizeInDwords) }")
        body.line("public let base: UnsafeMutableRawPointer")
        body.line("@inlinable public init(unsafeBase base: UnsafeMutableRawPointer) { self.base = base }")
        for member in structure.members.sorted(by: { $0.dword < $1.dword }) {
          body.line()
          emit(member, registerModule: registerModule, into: &body)
        }
        for pair in (pairs[structure.name] ?? []).sorted(by: { $0.name < $1.name }) {
          body.line()
          emit(pair, of: structure, into: &body)
        }
      }
      return GeneratedFile(path: "\(Self.moduleName)/\(structure.name).swift", contents: writer.text)
    }
  }

  private func emit(_ member: Structure.Member, registerModule: String?, into writer: inout SwiftWriter) {
    let name = SwiftNaming.identifier(member.name)
    let place = member.count == 1 ? "dword \(member.dword)" : "dwords \(member.dword)...\(member.dwords.upperBound)"
    if let type = member.type {
      writer.doc("`\(member.name)`: \(place), a `\(type)`.", member.doc)
      writer.line("@inlinable public var \(name): \(SwiftNaming.identifier(type)) { self[structure: \(member.dword)] }")
    } else if member.count > 1 {
      writer.doc("`\(member.name)`: \(place).", member.doc)
      writer.member(
        "@inlinable public var \(name): DwordArray", body: "self[dwords: \(member.dword), count: \(member.count)]")
    } else {
      let type = member.register.map { "RegisterValue<\(registerModule!).\(SwiftNaming.identifier($0))>" } ?? "UInt32"
      let subscriptLabel = member.register == nil ? "dword" : "register"
      writer.doc(
        "`\(member.name)`: \(place)" + (member.register.map { ", the value of register `\($0)`" } ?? "") + ".",
        member.doc)
      writer.block("@inlinable public var \(name): \(type)") { accessors in
        accessors.line("get { self[\(subscriptLabel): \(member.dword)] }")
        accessors.line("nonmutating set { self[\(subscriptLabel): \(member.dword)] = newValue }")
      }
    }
  }

  private func emit(_ pair: AddressPair, of structure: Structure, into writer: inout SwiftWriter) {
    let dword = { (name: String) in structure.members.first { $0.name == name }!.dword }
    let stored = pair.shift == 0 ? "" : ", stored shifted right by \(pair.shift)"
    writer.doc(
      "`\(pair.lo)` and `\(pair.hi)` as one GPU address: \(pair.bits) bits, \(pair.alignment)-byte aligned\(stored).",
      pair.doc)
    writer.line("@inlinable public var \(SwiftNaming.identifier(pair.name)): AddressField {")
    writer.line(
      "  self[address: \(dword(pair.lo)), \(dword(pair.hi)), shift: \(pair.shift), alignment: \(pair.alignment), bits: \(pair.bits)]"
    )
    writer.line("}")
  }
}
