import MxSpecModel

extension ValidationContext {
  /// Mailbox payloads are the four MSGBUF dwords.
  static let mailboxPayloadDwords = 4

  mutating func checkMailboxes() {
    checkNames(spec.mailboxes, kind: "mailbox", in: "the specs", name: \.name, location: \.location)
    for mailbox in spec.mailboxes {
      let scope = "mailbox '\(mailbox.name)'"
      checkNames(mailbox.messages, kind: "message", in: scope, name: \.name, location: \.location)
      var firstByID: [String: Message] = [:]
      let events = Dictionary(
        mailbox.messages.filter { $0.direction == .event }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
      for message in mailbox.messages {
        let key = "\(message.direction.rawValue) \(message.id)"
        if let first = firstByID[key] {
          error(
            "\(message.direction.rawValue) '\(message.name)' has the same id \(message.id) as '\(first.name)' (defined at \(first.location))",
            at: message.location)
        } else {
          firstByID[key] = message
        }
        if let reply = message.reply {
          if message.direction == .event {
            error("event '\(message.name)' cannot expect a reply; only requests do", at: message.location)
          } else if events[reply] == nil {
            error("request '\(message.name)' expects unknown event '\(reply)' as its reply", at: message.location)
          }
        }
        if !message.hostSetsValid && message.direction == .request {
          error("request '\(message.name)' cannot say host-sets-valid; only host events can", at: message.location)
        }
        if let timeout = message.timeoutMilliseconds, timeout == 0 {
          error("message '\(message.name)' has a timeout of 0 ms", at: message.location)
        }
        if let poll = message.pollMilliseconds {
          if poll == 0 {
            error("message '\(message.name)' has a poll interval of 0 ms", at: message.location)
          } else if let timeout = message.timeoutMilliseconds, poll > timeout {
            error(
              "message '\(message.name)' polls every \(poll) ms, longer than its \(timeout) ms timeout",
              at: message.location)
          }
        }
        checkNames(
          message.payload, kind: "payload dword", in: "message '\(message.name)'", name: \.name, location: \.location)
        var usedIndices = Set<Int>()
        for dword in message.payload {
          if dword.index >= Self.mailboxPayloadDwords {
            error(
              "payload dword '\(dword.name)' is at index \(dword.index); the mailbox has dwords 0 to \(Self.mailboxPayloadDwords - 1)",
              at: dword.location)
          } else if !usedIndices.insert(dword.index).inserted {
            error("payload dword '\(dword.name)' reuses index \(dword.index)", at: dword.location)
          }
        }
      }
    }
  }
}
