#if !hasFeature(Embedded)
  /// Values print as named fields, for logs:
  /// `MAILBOX_CONTROL(0x0000_0101: TRN_MSG_VALID=1 TRN_MSG_ACK=0 RCV_MSG_VALID=1 RCV_MSG_ACK=0)`.
  ///
  /// The names come from each register's `info.layout` string (one literal per register, which costs
  /// far less to compile than code per field):
  /// `NAME FIELD@lsb:width FIELD@lsb:width{VALUE=n,VALUE=n} …`.
  extension RegisterValue: CustomStringConvertible {
    public var description: String {
      let layout = RegisterLayout(R.info.layout)
      let fields = layout.fields.map { field in
        let bits = (rawValue >> field.lsb) & (field.width >= 32 ? ~0 : (1 << field.width) - 1)
        let shown: String
        if let name = field.values.first(where: { $0.value == bits })?.name {
          shown = "\(name)(\(bits))"
        } else if field.width == 1 || bits < 10 {
          shown = String(bits)
        } else {
          shown = "0x" + String(bits, radix: 16, uppercase: true)
        }
        return "\(field.name)=\(shown)"
      }
      let hex = String(rawValue, radix: 16, uppercase: true)
      let word = String(repeating: "0", count: 8 - hex.count) + hex
      let value = "0x\(word.prefix(4))_\(word.suffix(4))"
      return fields.isEmpty ? "\(layout.name)(\(value))" : "\(layout.name)(\(value): \(fields.joined(separator: " ")))"
    }
  }

  /// A register's `layout` string, parsed.
  public struct RegisterLayout: Sendable {
    public struct Field: Sendable {
      public var name: String
      public var lsb: UInt32
      public var width: UInt32
      /// Named values of the field's enum, if it has one.
      public var values: [(name: String, value: UInt32)]
    }

    public var name: String
    public var fields: [Field]

    public init(_ layout: StaticString) {
      let text = layout.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
      let items = text.split(separator: " ")
      name = items.first.map(String.init) ?? ""
      fields = items.dropFirst().map { item in
        let head = item.prefix { $0 != "{" }
        let parts = head.split(separator: "@")
        let bits = parts.count > 1 ? parts[1].split(separator: ":") : []
        var values: [(String, UInt32)] = []
        if let open = item.firstIndex(of: "{") {
          for pair in item[item.index(after: open)...].dropLast().split(separator: ",") {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let value = UInt32(kv[1]) { values.append((String(kv[0]), value)) }
          }
        }
        return Field(
          name: String(parts[0]), lsb: bits.first.flatMap { UInt32($0) } ?? 0,
          width: bits.count > 1 ? UInt32(bits[1]) ?? 0 : 0, values: values)
      }
    }
  }
#endif
