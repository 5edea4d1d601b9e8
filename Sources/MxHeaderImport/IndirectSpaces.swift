/// Where `ix*` registers live. The headers give only an offset; which index/data pair reaches
/// it is known only from driver code, so the rule is a table of name prefixes, each pair taken
/// from the Linux driver's own accessors. A register no prefix matches goes to a space named
/// after its first name component (`ixCLIPPER_DEBUG_REG00` → `ix_clipper`) with no pair, so that
/// unrelated families with overlapping offsets do not collide.
struct IndirectSpaceRule: Sendable {
  var prefix: String
  var space: String
  var index: String
  var data: String
  /// Where the driver uses this pair, for the generated docs.
  var source: String

  static let rules: [IndirectSpaceRule] = [
    IndirectSpaceRule(
      prefix: "DIDT_", space: "didt", index: "DIDT_IND_INDEX", data: "DIDT_IND_DATA",
      source: "amdgpu/vi.c vi_didt_rreg"),
    IndirectSpaceRule(
      prefix: "PCIE_", space: "pcie", index: "PCIE_INDEX", data: "PCIE_DATA",
      source: "amdgpu/vi.c vi_pcie_rreg"),
    IndirectSpaceRule(
      prefix: "SQ_WAVE_", space: "sq", index: "SQ_IND_INDEX", data: "SQ_IND_DATA",
      source: "amdgpu/gfx_v8_0.c wave_read_ind"),
  ]

  /// The space of an `ix` register named `name` (without the `ix`).
  static func space(for name: String, registers: Set<String>) -> (name: String, rule: IndirectSpaceRule?) {
    if let rule = rules.first(where: { name.hasPrefix($0.prefix) }),
      registers.contains(rule.index), registers.contains(rule.data)
    {
      return (rule.space, rule)
    }
    let family = name.split(separator: "_").first.map { String($0).lowercased() } ?? "ix"
    return ("ix_" + family, nil)
  }
}
