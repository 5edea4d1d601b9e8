import MxSpecModel

/// Emits the `MxMailbox` module: per mailbox a request enum and an event enum whose cases are
/// the messages by hardware name and id, with each message's reply, timeout, poll interval and
/// whether the host raises RCV_MSG_VALID with it.
public struct MailboxEmitter: Sendable {
  public static let moduleName = "MxMailbox"

  public init() {}

  /// `xgpu_vi` → `XgpuVi`.
  public static func typePrefix(_ mailbox: String) -> String {
    mailbox.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  public func emit(_ mailboxes: [Mailbox]) -> [GeneratedFile] {
    mailboxes.sorted { $0.name < $1.name }.map { mailbox in
      let prefix = Self.typePrefix(mailbox.name)
      var writer = SwiftWriter()
      writer.line(GeneratedFile.banner)
      writer.line("// Mailbox \(mailbox.name).")
      let requests = mailbox.messages.filter { $0.direction == .request }.sorted { $0.id < $1.id }
      let events = mailbox.messages.filter { $0.direction == .event }.sorted { $0.id < $1.id }
      emitEnum(
        "\(prefix)Request", kind: "Requests of mailbox `\(mailbox.name)`: guest to host, in MAILBOX_MSGBUF_TRN_DW0.",
        doc: mailbox.doc, messages: requests, eventType: "\(prefix)Event", into: &writer)
      emitEnum(
        "\(prefix)Event", kind: "Events of mailbox `\(mailbox.name)`: host to guest, in MAILBOX_MSGBUF_RCV_DW0.",
        doc: nil, messages: events, eventType: nil, into: &writer)
      return GeneratedFile(path: "\(Self.moduleName)/\(prefix).swift", contents: writer.text)
    }
  }

  private func emitEnum(
    _ name: String, kind: String, doc: String?, messages: [Message], eventType: String?,
    into writer: inout SwiftWriter
  ) {
    writer.line()
    writer.doc(kind, doc)
    writer.block("public enum \(name): UInt32, Sendable, CaseIterable") { body in
      for message in messages {
        body.doc("`\(message.name)` = \(message.id).", message.doc)
        body.line("case \(SwiftNaming.identifier(message.name)) = \(message.id)")
      }
      if let eventType {
        body.line()
        body.doc("The event the host answers with; nil when it only acknowledges.")
        property("reply", type: "\(eventType)?", messages: messages, into: &body) {
          $0.reply.map { "." + SwiftNaming.identifier($0) }
        }
      } else {
        body.line()
        body.doc("Whether the host raises RCV_MSG_VALID with this event (GIM does not for every one).")
        property("hostSetsValid", type: "Bool", messages: messages, into: &body, default: "true") {
          $0.hostSetsValid ? nil : "false"
        }
      }
      body.line()
      body.doc("How long the guest waits (for the acknowledgement, then the reply), when the spec bounds it.")
      property("timeout", type: "Duration?", messages: messages, into: &body) {
        $0.timeoutMilliseconds.map { ".milliseconds(\($0))" }
      }
      body.line()
      body.doc("How often the guest polls while it waits, when the spec says.")
      property("pollInterval", type: "Duration?", messages: messages, into: &body) {
        $0.pollMilliseconds.map { ".milliseconds(\($0))" }
      }
    }
  }

  /// A computed property that switches over the messages, with one `default` for the rest.
  private func property(
    _ name: String, type: String, messages: [Message], into writer: inout SwiftWriter, default fallback: String = "nil",
    value: (Message) -> String?
  ) {
    let cases = messages.compactMap { message in value(message).map { (message, $0) } }
    writer.block("public var \(name): \(type)") { body in
      guard !cases.isEmpty else {
        body.line(fallback)
        return
      }
      body.line("switch self {")
      for (message, result) in cases {
        body.line("case .\(SwiftNaming.identifier(message.name)): \(result)")
      }
      if cases.count < messages.count { body.line("default: \(fallback)") }
      body.line("}")
    }
  }
}
