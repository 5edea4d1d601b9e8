import MxGenerator
import MxPM4
import MxPM4Packets
import MxSpecModel
import XCTest

/// Out-of-range values and wrong layouts are typed errors for every packet, and nothing is
/// written: a value one bit wider than its field (the width read from the spec, not from these
/// tables) throws `.valueDoesNotFit`, and a layout its selector does not choose throws
/// `.layoutMismatch`. The tables hold one builder per field and per layout; completeness tests
/// check them against the spec, so a field added to the spec without an entry fails here.
final class PacketRangeTests: XCTestCase {
  struct OutOfRange: Sendable {
    var packet: String
    var field: String
    var build: @Sendable (UInt32, inout PM4Buffer) throws -> Void
    init(_ packet: String, _ field: String, build: @escaping @Sendable (UInt32, inout PM4Buffer) throws -> Void) {
      (self.packet, self.field, self.build) = (packet, field, build)
    }
  }

  struct WrongLayout: Sendable {
    var packet: String
    var dword: String
    var selector: String
    var value: UInt32
    var build: @Sendable (inout PM4Buffer) throws -> Void
    init(
      _ packet: String, _ dword: String, _ selector: String, _ value: UInt32,
      build: @escaping @Sendable (inout PM4Buffer) throws -> Void
    ) {
      (self.packet, self.dword, self.selector, self.value, self.build) = (packet, dword, selector, value, build)
    }
  }

  /// Every field narrower than the Swift type it is set with (an enum, or a width that is not
  /// 1, 8, 16 or 32 bits), by packet and field.
  static let outOfRange: [OutOfRange] = [
    OutOfRange("SET_RESOURCES", "QUEUE_TYPE") { try SET_RESOURCES(QUEUE_TYPE: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("SET_RESOURCES", "GDS_HEAP_BASE") { try SET_RESOURCES(GDS_HEAP_BASE: UInt8($0)).encode(into: &$1) },
    OutOfRange("SET_RESOURCES", "GDS_HEAP_SIZE") { try SET_RESOURCES(GDS_HEAP_SIZE: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "QUEUE_SEL") { try MAP_QUEUES(QUEUE_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "VMID") { try MAP_QUEUES(VMID: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "QUEUE_TYPE") { try MAP_QUEUES(QUEUE_TYPE: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "ALLOC_FORMAT") { try MAP_QUEUES(ALLOC_FORMAT: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "ENGINE_SEL") { try MAP_QUEUES(ENGINE_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "NUM_QUEUES") { try MAP_QUEUES(NUM_QUEUES: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "DOORBELL_OFFSET") { try MAP_QUEUES(DOORBELL_OFFSET: UInt32($0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "QUEUE") { try MAP_QUEUES(QUEUE: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_QUEUES", "PIPE") { try MAP_QUEUES(PIPE: UInt8($0)).encode(into: &$1) },
    OutOfRange("UNMAP_QUEUES", "ACTION") {
      try UNMAP_QUEUES(
        ACTION: .init(rawValue: $0), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "QUEUE_SEL") {
      try UNMAP_QUEUES(
        QUEUE_SEL: .init(rawValue: $0), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0),
        ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "ENGINE_SEL") {
      try UNMAP_QUEUES(
        ENGINE_SEL: .init(rawValue: $0), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0),
        ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "NUM_QUEUES") {
      try UNMAP_QUEUES(
        NUM_QUEUES: UInt8($0), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "DOORBELL_OFFSET2") {
      try UNMAP_QUEUES(
        DOORBELL_OFFSET2: UInt32($0), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "DOORBELL_OFFSET3") {
      try UNMAP_QUEUES(
        DOORBELL_OFFSET3: UInt32($0), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$1)
    },
    OutOfRange("QUERY_STATUS", "CONTEXT_ID") {
      try QUERY_STATUS(CONTEXT_ID: UInt32($0), ORDINAL3: .doorbell(DOORBELL_OFFSET: 0, ENG_SEL: .COMPUTE)).encode(
        into: &$1)
    },
    OutOfRange("QUERY_STATUS", "INTERRUPT_SEL") {
      try QUERY_STATUS(INTERRUPT_SEL: .init(rawValue: $0), ORDINAL3: .doorbell(DOORBELL_OFFSET: 0, ENG_SEL: .COMPUTE))
        .encode(into: &$1)
    },
    OutOfRange("QUERY_STATUS", "COMMAND") {
      try QUERY_STATUS(COMMAND: .init(rawValue: $0), ORDINAL3: .doorbell(DOORBELL_OFFSET: 0, ENG_SEL: .COMPUTE)).encode(
        into: &$1)
    },
    OutOfRange("RUN_LIST", "IB_BASE_LO") { try RUN_LIST(IB_BASE_LO: UInt32($0)).encode(into: &$1) },
    OutOfRange("RUN_LIST", "IB_SIZE") { try RUN_LIST(IB_SIZE: UInt32($0)).encode(into: &$1) },
    OutOfRange("RUN_LIST", "PROCESS_CNT") { try RUN_LIST(PROCESS_CNT: UInt8($0)).encode(into: &$1) },
    OutOfRange("WRITE_DATA", "DST_SEL") {
      try WRITE_DATA(DST_SEL: .init(rawValue: $0)).encode(into: &$1, payload: EmptyCollection())
    },
    OutOfRange("WRITE_DATA", "CACHE_POLICY") {
      try WRITE_DATA(CACHE_POLICY: .init(rawValue: $0)).encode(into: &$1, payload: EmptyCollection())
    },
    OutOfRange("WRITE_DATA", "ENGINE_SEL") {
      try WRITE_DATA(ENGINE_SEL: .init(rawValue: $0)).encode(into: &$1, payload: EmptyCollection())
    },
    OutOfRange("COPY_DATA", "SRC_SEL") {
      try COPY_DATA(
        SRC_SEL: UInt8($0), SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$1)
    },
    OutOfRange("COPY_DATA", "DST_SEL") {
      try COPY_DATA(
        DST_SEL: .init(rawValue: $0), SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$1)
    },
    OutOfRange("COPY_DATA", "ENGINE_SEL") {
      try COPY_DATA(
        ENGINE_SEL: .init(rawValue: $0), SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$1)
    },
    OutOfRange("INDIRECT_BUFFER", "SWAP") { try INDIRECT_BUFFER(SWAP: UInt8($0)).encode(into: &$1) },
    OutOfRange("INDIRECT_BUFFER", "IB_BASE_LO") { try INDIRECT_BUFFER(IB_BASE_LO: UInt32($0)).encode(into: &$1) },
    OutOfRange("INDIRECT_BUFFER", "IB_SIZE") { try INDIRECT_BUFFER(IB_SIZE: UInt32($0)).encode(into: &$1) },
    OutOfRange("INDIRECT_BUFFER", "VMID") { try INDIRECT_BUFFER(VMID: UInt8($0)).encode(into: &$1) },
    OutOfRange("INDIRECT_BUFFER", "CACHE_POLICY") {
      try INDIRECT_BUFFER(CACHE_POLICY: .init(rawValue: $0)).encode(into: &$1)
    },
    OutOfRange("INDIRECT_BUFFER_CONST", "SWAP") { try INDIRECT_BUFFER_CONST(SWAP: UInt8($0)).encode(into: &$1) },
    OutOfRange("INDIRECT_BUFFER_CONST", "IB_BASE_LO") {
      try INDIRECT_BUFFER_CONST(IB_BASE_LO: UInt32($0)).encode(into: &$1)
    },
    OutOfRange("INDIRECT_BUFFER_CONST", "IB_SIZE") { try INDIRECT_BUFFER_CONST(IB_SIZE: UInt32($0)).encode(into: &$1) },
    OutOfRange("INDIRECT_BUFFER_CONST", "VMID") { try INDIRECT_BUFFER_CONST(VMID: UInt8($0)).encode(into: &$1) },
    OutOfRange("INDIRECT_BUFFER_CONST", "CACHE_POLICY") {
      try INDIRECT_BUFFER_CONST(CACHE_POLICY: .init(rawValue: $0)).encode(into: &$1)
    },
    OutOfRange("MAP_PROCESS", "PROCESS_QUANTUM") { try MAP_PROCESS(PROCESS_QUANTUM: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_PROCESS", "PAGE_TABLE_BASE") { try MAP_PROCESS(PAGE_TABLE_BASE: UInt32($0)).encode(into: &$1) },
    OutOfRange("MAP_PROCESS", "NUM_GWS") { try MAP_PROCESS(NUM_GWS: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_PROCESS", "NUM_OAC") { try MAP_PROCESS(NUM_OAC: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_PROCESS", "GDS_SIZE") { try MAP_PROCESS(GDS_SIZE: UInt8($0)).encode(into: &$1) },
    OutOfRange("MAP_PROCESS", "NUM_QUEUES") { try MAP_PROCESS(NUM_QUEUES: UInt16($0)).encode(into: &$1) },
    OutOfRange("WAIT_REG_MEM", "FUNCTION") { try WAIT_REG_MEM(FUNCTION: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("WAIT_REG_MEM", "MEM_SPACE") { try WAIT_REG_MEM(MEM_SPACE: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("WAIT_REG_MEM", "OPERATION") { try WAIT_REG_MEM(OPERATION: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("WAIT_REG_MEM", "ENGINE") { try WAIT_REG_MEM(ENGINE: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("EVENT_WRITE", "EVENT_TYPE") {
      try EVENT_WRITE(EVENT_TYPE: UInt8($0)).encode(into: &$1, payload: EmptyCollection())
    },
    OutOfRange("EVENT_WRITE", "EVENT_INDEX") {
      try EVENT_WRITE(EVENT_INDEX: .init(rawValue: $0)).encode(into: &$1, payload: EmptyCollection())
    },
    OutOfRange("EVENT_WRITE_EOP", "EVENT_TYPE") { try EVENT_WRITE_EOP(EVENT_TYPE: UInt8($0)).encode(into: &$1) },
    OutOfRange("EVENT_WRITE_EOP", "EVENT_INDEX") {
      try EVENT_WRITE_EOP(EVENT_INDEX: .init(rawValue: $0)).encode(into: &$1)
    },
    OutOfRange("EVENT_WRITE_EOP", "CACHE_POLICY") {
      try EVENT_WRITE_EOP(CACHE_POLICY: .init(rawValue: $0)).encode(into: &$1)
    },
    OutOfRange("EVENT_WRITE_EOP", "ADDRESS_LO") { try EVENT_WRITE_EOP(ADDRESS_LO: UInt32($0)).encode(into: &$1) },
    OutOfRange("EVENT_WRITE_EOP", "DST_SEL") { try EVENT_WRITE_EOP(DST_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("EVENT_WRITE_EOP", "INT_SEL") { try EVENT_WRITE_EOP(INT_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("EVENT_WRITE_EOP", "DATA_SEL") { try EVENT_WRITE_EOP(DATA_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("RELEASE_MEM", "EVENT_TYPE") { try RELEASE_MEM(EVENT_TYPE: UInt8($0)).encode(into: &$1) },
    OutOfRange("RELEASE_MEM", "EVENT_INDEX") { try RELEASE_MEM(EVENT_INDEX: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("RELEASE_MEM", "CACHE_POLICY") { try RELEASE_MEM(CACHE_POLICY: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("RELEASE_MEM", "DST_SEL") { try RELEASE_MEM(DST_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("RELEASE_MEM", "INT_SEL") { try RELEASE_MEM(INT_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("RELEASE_MEM", "DATA_SEL") { try RELEASE_MEM(DATA_SEL: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("RELEASE_MEM", "ADDRESS_LO") { try RELEASE_MEM(ADDRESS_LO: UInt32($0)).encode(into: &$1) },
    OutOfRange("ACQUIRE_MEM", "COHER_BASE_HI") { try ACQUIRE_MEM(COHER_BASE_HI: UInt32($0)).encode(into: &$1) },
    OutOfRange("PREAMBLE_CNTL", "COMMAND") { try PREAMBLE_CNTL(COMMAND: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("SET_BASE", "BASE_INDEX") { try SET_BASE(BASE_INDEX: .init(rawValue: $0)).encode(into: &$1) },
    OutOfRange("DMA_DATA", "ENGINE") {
      try DMA_DATA(
        ENGINE: .init(rawValue: $0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$1)
    },
    OutOfRange("DMA_DATA", "SRC_CACHE_POLICY") {
      try DMA_DATA(
        SRC_CACHE_POLICY: .init(rawValue: $0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0),
        SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$1)
    },
    OutOfRange("DMA_DATA", "DST_SEL") {
      try DMA_DATA(
        DST_SEL: .init(rawValue: $0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$1)
    },
    OutOfRange("DMA_DATA", "DST_CACHE_POLICY") {
      try DMA_DATA(
        DST_CACHE_POLICY: .init(rawValue: $0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0),
        SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$1)
    },
    OutOfRange("DMA_DATA", "SRC_SEL") {
      try DMA_DATA(
        SRC_SEL: .init(rawValue: $0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$1)
    },
    OutOfRange("DMA_DATA", "BYTE_COUNT") {
      try DMA_DATA(BYTE_COUNT: UInt32($0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0))
        .encode(into: &$1)
    },
    OutOfRange("DMA_DATA", "CMD_SRC_SWAP") {
      try DMA_DATA(
        CMD_SRC_SWAP: .init(rawValue: $0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$1)
    },
    OutOfRange("DMA_DATA", "CMD_DST_SWAP") {
      try DMA_DATA(
        CMD_DST_SWAP: .init(rawValue: $0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "DOORBELL_OFFSET0") {
      try UNMAP_QUEUES(ORDINAL3: .doorbell(DOORBELL_OFFSET0: $0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)).encode(
        into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "RB_WPTR") {
      try UNMAP_QUEUES(
        ACTION: .PREEMPT_QUEUES_NO_UNMAP, ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .rbWptr(RB_WPTR: $0)
      ).encode(into: &$1)
    },
    OutOfRange("UNMAP_QUEUES", "DOORBELL_OFFSET1") {
      try UNMAP_QUEUES(ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: $0)).encode(
        into: &$1)
    },
    OutOfRange("QUERY_STATUS", "DOORBELL_OFFSET") {
      try QUERY_STATUS(ORDINAL3: .doorbell(DOORBELL_OFFSET: $0, ENG_SEL: .COMPUTE)).encode(into: &$1)
    },
    OutOfRange("QUERY_STATUS", "ENG_SEL") {
      try QUERY_STATUS(ORDINAL3: .doorbell(DOORBELL_OFFSET: 0, ENG_SEL: .init(rawValue: $0))).encode(into: &$1)
    },
    OutOfRange("COPY_DATA", "SRC_REG_OFFSET") {
      try COPY_DATA(
        SRC_ADDR_LO: .register(SRC_REG_OFFSET: $0), SRC_ADDR_HI: .register, DST_ADDR_LO: .register(DST_REG_OFFSET: 0),
        DST_ADDR_HI: .register
      ).encode(into: &$1)
    },
    OutOfRange("COPY_DATA", "DST_REG_OFFSET") {
      try COPY_DATA(
        SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register, DST_ADDR_LO: .register(DST_REG_OFFSET: $0),
        DST_ADDR_HI: .register
      ).encode(into: &$1)
    },
  ]

  /// Per dword with layouts: the default layout where the selector chooses another, and the
  /// selector's layout where the selector does not choose it.
  static let wrongLayouts: [WrongLayout] = [
    WrongLayout("UNMAP_QUEUES", "ORDINAL3", "QUEUE_SEL", 1) {
      try UNMAP_QUEUES(
        QUEUE_SEL: .init(rawValue: 1), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0),
        ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$0)
    },
    WrongLayout("UNMAP_QUEUES", "ORDINAL3", "QUEUE_SEL", 0) {
      try UNMAP_QUEUES(
        QUEUE_SEL: .init(rawValue: 0), ORDINAL3: .pasid(PASID: 0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$0)
    },
    WrongLayout("UNMAP_QUEUES", "ORDINAL4", "ACTION", 3) {
      try UNMAP_QUEUES(
        ACTION: .init(rawValue: 3), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
      ).encode(into: &$0)
    },
    WrongLayout("UNMAP_QUEUES", "ORDINAL4", "ACTION", 0) {
      try UNMAP_QUEUES(
        ACTION: .init(rawValue: 0), ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0), ORDINAL4: .rbWptr(RB_WPTR: 0)
      ).encode(into: &$0)
    },
    WrongLayout("QUERY_STATUS", "ORDINAL3", "INTERRUPT_SEL", 1) {
      try QUERY_STATUS(
        INTERRUPT_SEL: .init(rawValue: 1), ORDINAL3: .doorbell(DOORBELL_OFFSET: 0, ENG_SEL: .init(rawValue: 0))
      ).encode(into: &$0)
    },
    WrongLayout("QUERY_STATUS", "ORDINAL3", "INTERRUPT_SEL", 0) {
      try QUERY_STATUS(INTERRUPT_SEL: .init(rawValue: 0), ORDINAL3: .pasid(PASID: 0)).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "SRC_ADDR_LO", "SRC_SEL", 0) {
      try COPY_DATA(
        SRC_SEL: 0, SRC_ADDR_LO: .memory(SRC_ADDR_LO: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "SRC_ADDR_LO", "SRC_SEL", 1) {
      try COPY_DATA(
        SRC_SEL: 1, SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "SRC_ADDR_HI", "SRC_SEL", 0) {
      try COPY_DATA(
        SRC_SEL: 0, SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .memory(SRC_ADDR_HI: 0),
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "SRC_ADDR_HI", "SRC_SEL", 1) {
      try COPY_DATA(
        SRC_SEL: 1, SRC_ADDR_LO: .memory(SRC_ADDR_LO: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "DST_ADDR_LO", "DST_SEL", 0) {
      try COPY_DATA(
        DST_SEL: .init(rawValue: 0), SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .memory(DST_ADDR_LO: 0), DST_ADDR_HI: .register
      ).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "DST_ADDR_LO", "DST_SEL", 1) {
      try COPY_DATA(
        DST_SEL: .init(rawValue: 1), SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .register
      ).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "DST_ADDR_HI", "DST_SEL", 0) {
      try COPY_DATA(
        DST_SEL: .init(rawValue: 0), SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .register(DST_REG_OFFSET: 0), DST_ADDR_HI: .memory(DST_ADDR_HI: 0)
      ).encode(into: &$0)
    },
    WrongLayout("COPY_DATA", "DST_ADDR_HI", "DST_SEL", 1) {
      try COPY_DATA(
        DST_SEL: .init(rawValue: 1), SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0), SRC_ADDR_HI: .register,
        DST_ADDR_LO: .memory(DST_ADDR_LO: 0), DST_ADDR_HI: .register
      ).encode(into: &$0)
    },
    WrongLayout("DMA_DATA", "SRC_ADDR_LO", "SRC_SEL", 2) {
      try DMA_DATA(
        SRC_SEL: .init(rawValue: 2), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &$0)
    },
    WrongLayout("DMA_DATA", "SRC_ADDR_LO", "SRC_SEL", 0) {
      try DMA_DATA(SRC_SEL: .init(rawValue: 0), SRC_ADDR_LO: .data(DATA: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0))
        .encode(into: &$0)
    },
    WrongLayout("DMA_DATA", "SRC_ADDR_HI", "SRC_SEL", 2) {
      try DMA_DATA(SRC_SEL: .init(rawValue: 2), SRC_ADDR_LO: .data(DATA: 0), SRC_ADDR_HI: .address(SRC_ADDR_HI: 0))
        .encode(into: &$0)
    },
    WrongLayout("DMA_DATA", "SRC_ADDR_HI", "SRC_SEL", 0) {
      try DMA_DATA(SRC_SEL: .init(rawValue: 0), SRC_ADDR_LO: .address(SRC_ADDR_LO: 0), SRC_ADDR_HI: .data).encode(
        into: &$0)
    },
  ]

  private var spec: PacketSet {
    get throws {
      try XCTUnwrap(Generator().check(specsAt: PacketPropertyTests.specs).spec.packetSets.first)
    }
  }

  func testAValueOneBitWiderThanItsFieldIsATypedErrorAndWritesNothing() throws {
    let packets = Dictionary(uniqueKeysWithValues: try spec.packets.map { ($0.name, $0) })
    for entry in Self.outOfRange {
      let field = try XCTUnwrap(
        packets[entry.packet]?.allFields.first { $0.name == entry.field }, "\(entry.packet).\(entry.field)")
      let width = field.bits.width
      let tooWide = UInt32(1) << UInt32(width)
      let written = encoded { (buffer: inout PM4Buffer) in
        do {
          try entry.build(tooWide, &buffer)
          XCTFail("\(entry.packet).\(entry.field) = \(tooWide) was encoded")
        } catch {
          XCTAssertEqual(
            error as? PM4EncodingError,
            .valueDoesNotFit(packet: entry.packet, field: entry.field, value: tooWide, width: width))
        }
      }
      XCTAssertEqual(written, [], "\(entry.packet).\(entry.field): partial write")
      // The widest value that fits passes the width check (a selector's value may still choose
      // another layout than the builder gives).
      do {
        _ = try encoded { try entry.build(tooWide - 1, &$0) }
      } catch {
        guard case .layoutMismatch = error as? PM4EncodingError else {
          return XCTFail("\(entry.packet).\(entry.field) = \(tooWide - 1): \(error)")
        }
      }
    }
  }

  func testEveryNarrowFieldHasAnOutOfRangeCase() throws {
    let narrow = Set(
      try spec.packets.flatMap { packet in
        packet.allFields.filter { $0.enumName != nil || ![1, 8, 16, 32].contains($0.bits.width) }
          .map { "\(packet.name).\($0.name)" }
      })
    XCTAssertEqual(Set(Self.outOfRange.map { "\($0.packet).\($0.field)" }), narrow)
  }

  func testALayoutItsSelectorDoesNotChooseIsATypedErrorAndWritesNothing() throws {
    for entry in Self.wrongLayouts {
      let written = encoded { (buffer: inout PM4Buffer) in
        do {
          try entry.build(&buffer)
          XCTFail("\(entry.packet).\(entry.dword) encoded with \(entry.selector) = \(entry.value)")
        } catch {
          XCTAssertEqual(
            error as? PM4EncodingError,
            .layoutMismatch(packet: entry.packet, dword: entry.dword, selector: entry.selector, value: entry.value))
        }
      }
      XCTAssertEqual(written, [], "\(entry.packet).\(entry.dword): partial write")
    }
  }

  func testEveryLayoutDwordHasBothWrongLayoutCases() throws {
    let dwords = try spec.packets.flatMap { packet in
      packet.dwords.filter { !$0.layouts.isEmpty }.map { "\(packet.name).\($0.name)" }
    }
    XCTAssertEqual(
      Dictionary(grouping: Self.wrongLayouts.map { "\($0.packet).\($0.dword)" }, by: { $0 }).mapValues(\.count),
      Dictionary(uniqueKeysWithValues: dwords.map { ($0, 2) }))
  }
}

extension Packet {
  /// Every field of every dword, in every layout.
  var allFields: [Field] { dwords.flatMap { $0.fields + $0.layouts.flatMap(\.fields) } }
}
