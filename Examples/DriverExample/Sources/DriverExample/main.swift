// Takes a simulated Tonga VF to full GPU access the way mxgpu_vi.c does, through registers,
// packets and messages the MxGPUKit plugin generated into this target, and marks each stage in a
// register of its own (Handshake.xml).
import MxMMIO
import MxPM4
import MxSimulator

let gpu = SimulatedGPU()
let bar = gpu.functions[0].registers  // BAR 5 of VF 0

/// Polls `condition` every 10 µs of simulated time, for at most `limit`.
func wait(for what: String, limit: Duration = .seconds(1), until condition: @Sendable () -> Bool) async throws {
  let deadline = gpu.clock.now.advanced(by: limit)
  while !condition() {
    guard gpu.clock.now < deadline else { fatalError("no \(what) within \(limit)") }
    try await gpu.clock.sleep(for: .microseconds(10))
  }
}

/// Sends `request` and waits for the host's ack (TRN_MSG_ACK), as xgpu_vi_mailbox_trans_msg does.
func send(_ request: XgpuViRequest) async throws {
  bar.write(MAILBOX_MSGBUF_TRN_DW0.self) { $0[MAILBOX_MSGBUF_TRN_DW0.MSGBUF_DATA] = request.rawValue }
  bar.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
  try await wait(for: "ack of \(request)") { bar.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.TRN_MSG_ACK] }
  bar.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = false }
}

try await gpu.run {
  let identity = bar.read(BIF_IOV_FUNC_IDENTIFIER.self)
  print(identity)
  guard identity[BIF_IOV_FUNC_IDENTIFIER.FUNC_IDENTIFIER] else { fatalError("not a virtual function") }
  bar.write(DRIVER_HANDSHAKE.self) {
    $0[DRIVER_HANDSHAKE.SEQUENCE] = 1
    $0[DRIVER_HANDSHAKE.STAGE] = .STAGE_NONE
  }

  try await send(.IDH_REQ_GPU_INIT_ACCESS)
  try await wait(for: "READY_TO_ACCESS_GPU") {
    bar.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.RCV_MSG_VALID]
      && XgpuViEvent(rawValue: bar.read(MAILBOX_MSGBUF_RCV_DW0.self).rawValue) == .IDH_READY_TO_ACCESS_GPU
  }
  bar.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.RCV_MSG_ACK] = true }
  print("full access at \(gpu.clock.now.offset) of simulated time")
  bar.modify(DRIVER_HANDSHAKE.self) {
    $0[DRIVER_HANDSHAKE.SEQUENCE] += 1
    $0[DRIVER_HANDSHAKE.STAGE] = .STAGE_FULL_ACCESS
  }

  // What the KIQ would be told first: the queues it may use.
  var dwords = [UInt32](repeating: 0, count: 8)
  let count = try dwords.withUnsafeMutableBufferPointer { memory in
    var buffer = PM4Buffer(base: memory.baseAddress!, capacity: memory.count)
    try SET_RESOURCES(VMID_MASK: 0xFF00, QUEUE_MASK_LO: 0xFF).encode(into: &buffer)
    return buffer.count
  }
  print("SET_RESOURCES:", dwords.prefix(count).map { "0x" + String($0, radix: 16) }.joined(separator: " "))

  bar.apply(Tonga.xgpu_tonga_golden_common_all)
  try await send(.IDH_REL_GPU_INIT_ACCESS)
  bar.modify(DRIVER_HANDSHAKE.self) { $0[DRIVER_HANDSHAKE.STAGE] = .STAGE_READY }
  print(bar.read(DRIVER_HANDSHAKE.self))
  print(bar.read(MAILBOX_CONTROL.self))
}
