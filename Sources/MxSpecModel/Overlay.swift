/// What public sources say about imported registers that their headers do not: access modes,
/// write-1-to-clear bits, reset values. Overlays live in files of their own (`Specs/overlays/`),
/// apart from the imported specs, so a re-import never loses them; every change cites its source,
/// and generated documentation repeats the citation.
public struct Overlay: Sendable, Hashable {
  /// A change to one field: its access.
  public struct FieldChange: Sendable, Hashable {
    public var name: String
    public var access: Access
    /// The public source; the register change's when nil.
    public var source: String?
    public var location: SourceLocation

    public init(name: String, access: Access, source: String? = nil, location: SourceLocation) {
      self.name = name
      self.access = access
      self.source = source
      self.location = location
    }
  }

  /// A change to one register: its access, its reset value, its fields' access.
  public struct RegisterChange: Sendable, Hashable {
    public var name: String
    public var access: Access?
    public var resetValue: UInt32?
    public var source: String
    public var fields: [FieldChange]
    public var location: SourceLocation

    public init(
      name: String, access: Access? = nil, resetValue: UInt32? = nil, source: String, fields: [FieldChange] = [],
      location: SourceLocation
    ) {
      self.name = name
      self.access = access
      self.resetValue = resetValue
      self.source = source
      self.fields = fields
      self.location = location
    }
  }

  /// The id of the block changed (`bif_5_0`).
  public var block: String
  public var doc: Documentation?
  public var registers: [RegisterChange]
  public var location: SourceLocation

  public init(block: String, doc: Documentation? = nil, registers: [RegisterChange], location: SourceLocation) {
    self.block = block
    self.doc = doc
    self.registers = registers
    self.location = location
  }
}

extension Spec {
  /// Applies every overlay to the blocks, once; an overlay that names a block, register or
  /// field that does not exist, or changes the same thing twice, is an error at its line.
  public mutating func applyOverlays() -> Diagnostics {
    var diagnostics = Diagnostics()
    var changed: [String: SourceLocation] = [:]  // "block/register[/field]:what" → first change
    func once(_ key: String, at location: SourceLocation, _ what: String) -> Bool {
      if let first = changed[key] {
        diagnostics.error("\(what) is already changed by the overlay at \(first)", at: location)
        return false
      }
      changed[key] = location
      return true
    }
    for overlay in overlays {
      guard let blockIndex = blocks.firstIndex(where: { $0.id == overlay.block }) else {
        diagnostics.error("overlay of block '\(overlay.block)', which does not exist", at: overlay.location)
        continue
      }
      let blockID = overlay.block
      for change in overlay.registers {
        guard let registerIndex = blocks[blockIndex].registers.firstIndex(where: { $0.name == change.name }) else {
          diagnostics.error("overlay of register '\(change.name)', which \(blockID) does not have", at: change.location)
          continue
        }
        var register = blocks[blockIndex].registers[registerIndex]
        let key = "\(blockID)/\(register.name)"
        if let access = change.access, once(key + ":access", at: change.location, "the access of \(register.name)") {
          register.access = access
          register.accessSource = change.source
        }
        if let reset = change.resetValue, once(key + ":reset", at: change.location, "the reset of \(register.name)") {
          register.resetValue = reset
          register.resetSource = change.source
        }
        for fieldChange in change.fields {
          guard let fieldIndex = register.fields.firstIndex(where: { $0.name == fieldChange.name }) else {
            diagnostics.error(
              "overlay of field '\(fieldChange.name)', which \(register.name) does not have", at: fieldChange.location)
            continue
          }
          guard
            once(key + "/\(fieldChange.name):access", at: fieldChange.location, "\(register.name).\(fieldChange.name)")
          else { continue }
          register.fields[fieldIndex].access = fieldChange.access
          register.fields[fieldIndex].accessSource = fieldChange.source ?? change.source
        }
        blocks[blockIndex].registers[registerIndex] = register
      }
    }
    return diagnostics
  }
}
