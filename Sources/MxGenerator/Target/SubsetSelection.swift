import Foundation
import MxSpecModel

/// The part of the built-in spec that a `SubsetConfiguration` asks for, closed over what the
/// generated code needs to compile: an indirect register brings its index and data registers,
/// a field its enum, a packet the enums of its fields, a message its reply.
public struct SubsetSelection: Sendable {
  public let spec: Spec
  public let diagnostics: Diagnostics
  /// Where each selected register, packet, message and chip was asked for (its first item), by
  /// its Swift name; what `TargetSpec` points at when a name is declared twice.
  public let origins: [String: SourceLocation]

  public init(_ configuration: SubsetConfiguration, from builtIn: Spec) {
    var diagnostics = Diagnostics()
    var origins: [String: SourceLocation] = [:]
    var registers: [String: Set<String>] = [:]  // block id → register names
    var enums: [String: Set<String>] = [:]  // block id → enum names
    var packets: [String: Set<String>] = [:]  // packet set → packet names
    var messages: [String: Set<String>] = [:]  // mailbox → message names
    var chips = Set<String>()
    let blocks = builtIn.blocks.sorted { $0.id < $1.id }

    for item in configuration.items {
      let pattern = NamePattern(item.pattern)
      var found = 0
      func note(_ name: String) {
        found += 1
        let swiftName = SwiftNaming.identifier(name)
        if origins[swiftName] == nil { origins[swiftName] = item.location }
      }
      switch item.kind {
      case .registers:
        var candidates = blocks
        if let prefix = item.block {
          candidates = blocks.filter { $0.id.caseInsensitiveCompare(prefix) == .orderedSame }
          guard !candidates.isEmpty else {
            let known = blocks.map(\.id).joined(separator: ", ")
            diagnostics.error("no built-in block '\(prefix)' (there are \(known))", at: item.location)
            continue
          }
        }
        for block in candidates {
          for register in block.registers where pattern.matches(register.name) {
            registers[block.id, default: []].insert(register.name)
            note(register.name)
          }
        }
      case .blocks:
        for block in blocks where pattern.matches(block.id) {
          registers[block.id, default: []].formUnion(block.registers.map(\.name))
          for register in block.registers { note(register.name) }
        }
      case .enums:
        for block in blocks {
          for enumType in block.enums where pattern.matches(enumType.name) {
            enums[block.id, default: []].insert(enumType.name)
            note(enumType.name)
          }
        }
      case .packets:
        for set in builtIn.packetSets {
          for packet in set.packets where pattern.matches(packet.name) {
            packets[set.name, default: []].insert(packet.name)
            note(packet.name)
          }
        }
      case .messages:
        for mailbox in builtIn.mailboxes {
          for message in mailbox.messages where pattern.matches(message.name) {
            messages[mailbox.name, default: []].insert(message.name)
            note(message.name)
          }
        }
      case .chips:
        for chip in builtIn.chips where pattern.matches(chip.name) {
          chips.insert(chip.name)
          note(chip.name)
        }
      }
      if found == 0 {
        diagnostics.error("no built-in \(item.kind.singular) matches '\(item.pattern)'", at: item.patternLocation)
      }
    }

    var spec = Spec()
    spec.blocks = blocks.compactMap { block in
      Self.subset(of: block, keeping: registers[block.id] ?? [], enums: enums[block.id] ?? [])
    }
    spec.packetSets = builtIn.packetSets.compactMap { set in packets[set.name].map { Self.subset(of: set, keeping: $0) }
    }
    spec.mailboxes = builtIn.mailboxes.compactMap { mailbox in
      messages[mailbox.name].map { Self.subset(of: mailbox, keeping: $0) }
    }
    spec.chips = builtIn.chips.filter { chips.contains($0.name) }
    self.spec = spec
    self.diagnostics = diagnostics
    self.origins = origins
  }

  /// `block` with only the registers named, the index/data registers their spaces go through,
  /// the spaces and enums they use, and the enums named; nil when that is nothing.
  static func subset(of block: Block, keeping names: Set<String>, enums enumNames: Set<String> = []) -> Block? {
    var names = names
    // An indirect space that a kept register is in keeps its index and data registers.
    let keptSpaces = Set(block.registers.lazy.filter { names.contains($0.name) }.map(\.space))
    for space in block.spaces where keptSpaces.contains(space.name) {
      names.formUnion([space.indexRegister, space.dataRegister].compactMap { $0 })
    }
    var result = block
    result.registers = block.registers.filter { names.contains($0.name) }
    let usedSpaces = Set(result.registers.map(\.space))
    result.spaces = block.spaces.filter { usedSpaces.contains($0.name) }
    let usedEnums = Set(result.registers.flatMap { $0.fields.compactMap(\.enumName) }).union(enumNames)
    result.enums = block.enums.filter { usedEnums.contains($0.name) }
    guard !result.registers.isEmpty || !result.enums.isEmpty else { return nil }
    return result
  }

  static func subset(of set: PacketSet, keeping names: Set<String>) -> PacketSet {
    var result = set
    result.packets = set.packets.filter { names.contains($0.name) }
    let usedEnums = Set(result.packets.flatMap(\.allFields).compactMap(\.enumName))
    result.enums = set.enums.filter { usedEnums.contains($0.name) }
    return result
  }

  static func subset(of mailbox: Mailbox, keeping names: Set<String>) -> Mailbox {
    let replies = mailbox.messages.filter { names.contains($0.name) }.compactMap(\.reply)
    let kept = names.union(replies)
    var result = mailbox
    result.messages = mailbox.messages.filter { kept.contains($0.name) }
    return result
  }
}

extension SubsetConfiguration.Kind {
  var singular: String { String(rawValue.dropLast()) }
}

extension Packet {
  /// Every field of the packet, in every dword and layout.
  var allFields: [Field] {
    dwords.flatMap { $0.fields + $0.layouts.flatMap(\.fields) }
  }
}

/// A name or glob of a subset file: a glob (`*`, `?`, `[...]`) matches as `fnmatch` does, a plain
/// name matches itself; both without regard to case.
struct NamePattern {
  let pattern: String
  let isGlob: Bool

  init(_ pattern: String) {
    self.pattern = pattern.uppercased()
    isGlob = pattern.contains { "*?[".contains($0) }
  }

  func matches(_ name: String) -> Bool {
    isGlob ? fnmatch(pattern, name.uppercased(), 0) == 0 : pattern == name.uppercased()
  }
}
