// Detects a VF and raises a mailbox request the way mxgpu_vi.c does, on a register file that
// stands in for BAR 5, then prints what it wrote.
import MxBIF50
import MxChips
import MxMMIO

let bar = RecordingBus(recording: RegisterFile([BIF_IOV_FUNC_IDENTIFIER.info.offset: 0x8000_0001]))

let identity = bar.read(BIF_IOV_FUNC_IDENTIFIER.self)
print(identity)
guard identity[BIF_IOV_FUNC_IDENTIFIER.FUNC_IDENTIFIER] else { fatalError("not a virtual function") }

// IDH_REQ_GPU_INIT_ACCESS: TRN_DW0 = 1, then TRN_MSG_VALID = 1.
bar.modify(MAILBOX_MSGBUF_TRN_DW0.self) { $0[MAILBOX_MSGBUF_TRN_DW0.MSGBUF_DATA] = 1 }
bar.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
print(bar.read(MAILBOX_CONTROL.self))

bar.apply(Tonga.xgpu_tonga_golden_common_all)
print("golden writes:", Tonga.goldenSequences.map(\.count))
for access in bar.trace.prefix(6) { print(access) }
