// Driver-style field updates through the generated bif_5_0 registers on a mapped BAR.
// check.sh compiles this with -O and compares each function with its C twin in modify.c.
import MxBIF50
import MxMMIO

/// MAILBOX_CONTROL.TRN_MSG_VALID = 1 (xgpu_vi_mailbox_set_valid).
public func setValid(_ bar: MappedMMIOBus) {
  bar.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
}

/// A 5-bit field at bit 8 set to a run-time value: mask, shift, or.
public func setDebugSelect(_ bar: MappedMMIOBus, _ select: UInt8) {
  bar.modify(BIF_DEBUG_CNTL.self) { $0[BIF_DEBUG_CNTL.DEBUG_IDSEL_BLK1] = select }
}

/// Reading one field: load, and, shift.
public func readAck(_ bar: MappedMMIOBus) -> Bool {
  bar.read(MAILBOX_CONTROL.self)[MAILBOX_CONTROL.TRN_MSG_ACK]
}

/// A field set to a named enum value (the gfx_8_0 registers the runtime uses come along with
/// MxBIF50): the value is a constant, as the C enum's.
public func setSaveAreaCached(_ bar: MappedMMIOBus) {
  bar.modify(CP_HQD_CTX_SAVE_CONTROL.self) { $0[CP_HQD_CTX_SAVE_CONTROL.MTYPE] = .MTYPE_CC }
}

/// A field a layout protocol declares for several registers (`PCIE_VC0_RESOURCE_CNTL_Layout`),
/// set on the second of them to a run-time value: as for a register's own field.
public func setPortArbitration(_ bar: MappedMMIOBus, _ select: UInt8) {
  bar.modify(PCIE_VC1_RESOURCE_CNTL.self) { $0[PCIE_VC1_RESOURCE_CNTL.PORT_ARB_SELECT] = select }
}
