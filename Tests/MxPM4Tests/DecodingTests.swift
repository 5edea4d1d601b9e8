import MxPM4
import MxPM4Packets
import XCTest

final class DecodingTests: XCTestCase {
  func testAKIQBringUpStreamDecodes() throws {
    var stream = [0xC006_A000, 0, 0x0303_0303, 0, 0, 0, 0, 0] as [UInt32]
    stream += try encoded { try mapQueues(ring: 5, mqd: 0x8000, wptr: 0x9000).encode(into: &$0) }
    stream += [0xFFFF_1000, 0xFFFF_1000]
    stream += [0xC001_7900, 0x40, 0xDEAD_BEEF]
    let packets = try Pm4ViPacket.decode(stream)
    XCTAssertEqual(packets.map(\.index), [0, 8, 15, 16, 17])
    XCTAssertEqual(packets[0].packet, .SET_RESOURCES(SET_RESOURCES(QUEUE_MASK_LO: 0x0303_0303)))
    XCTAssertEqual(packets[1].packet, .MAP_QUEUES(mapQueues(ring: 5, mqd: 0x8000, wptr: 0x9000)))
    XCTAssertEqual(packets[2].packet, .NOP(NOP()))
    XCTAssertEqual(packets[2].dwordCount, 1)
    XCTAssertEqual(packets[4].packet, .SET_UCONFIG_REG(SET_UCONFIG_REG(REG_OFFSET: 0x40)))
    XCTAssertEqual(stream[packets[4].payload], [0xDEAD_BEEF])
  }

  func testLayoutsAreChosenByTheirSelector() throws {
    let byPasid = UNMAP_QUEUES(
      ACTION: .PREEMPT_QUEUES_NO_UNMAP, QUEUE_SEL: .PERFORM_REQUEST_ON_PASID_QUEUES, NUM_QUEUES: 1,
      ORDINAL3: .pasid(PASID: 0x8001), ORDINAL4: .rbWptr(RB_WPTR: 0xABCDE))
    let dwords = try encoded { try byPasid.encode(into: &$0) }
    XCTAssertEqual(dwords, [0xC004_A300, 0x2000_0013, 0x8001, 0xABCDE, 0, 0])
    XCTAssertEqual(try Pm4ViPacket.decode(dwords).first?.packet, .UNMAP_QUEUES(byPasid))
  }

  func testEncodeThenDecodeIsTheIdentityOverRandomValues() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<500 {
      let queueSelect = UNMAP_QUEUES_QUEUE_SEL(rawValue: .random(in: 0...3, using: &generator))
      let action = UNMAP_QUEUES_ACTION(rawValue: .random(in: 0...3, using: &generator))
      let packets: [Pm4ViPacket] = [
        .MAP_QUEUES(
          MAP_QUEUES(
            QUEUE_SEL: .init(rawValue: .random(in: 0...1)), VMID: .random(in: 0...15),
            QUEUE_TYPE: .init(rawValue: .random(in: 0...3)), ALLOC_FORMAT: .random(in: 0...3),
            ENGINE_SEL: [.COMPUTE, .SDMA0, .SDMA1].randomElement()!, NUM_QUEUES: .random(in: 0...7),
            CHECK_DISABLE: .random(), DOORBELL_OFFSET: .random(in: 0...0x1F_FFFF), QUEUE: .random(in: 0...7),
            PIPE: .random(in: 0...3), ME: .random(), MQD_ADDR_LO: .random(in: 0...UInt32.max),
            MQD_ADDR_HI: .random(in: 0...UInt32.max), WPTR_ADDR_LO: .random(in: 0...UInt32.max),
            WPTR_ADDR_HI: .random(in: 0...UInt32.max))),
        .UNMAP_QUEUES(
          UNMAP_QUEUES(
            ACTION: action, QUEUE_SEL: queueSelect, ENGINE_SEL: .SDMA1, NUM_QUEUES: .random(in: 0...7),
            DOORBELL_OFFSET2: .random(in: 0...0x1F_FFFF), DOORBELL_OFFSET3: .random(in: 0...0x1F_FFFF),
            ORDINAL3: queueSelect.rawValue == 1
              ? .pasid(PASID: .random(in: 0...UInt16.max)) : .doorbell(DOORBELL_OFFSET0: 9),
            ORDINAL4: action.rawValue == 3
              ? .rbWptr(RB_WPTR: .random(in: 0...0xF_FFFF)) : .doorbell(DOORBELL_OFFSET1: 3))),
        .INDIRECT_BUFFER(
          INDIRECT_BUFFER(
            SWAP: .random(in: 0...3), IB_BASE_LO: .random(in: 0...0x3FFF_FFFF), IB_BASE_HI: .random(in: 0...UInt16.max),
            IB_SIZE: .random(in: 0...0xF_FFFF), CHAIN: .random(), PRE_ENB: .random(), TCL2_VOLATILE: .random(),
            VALID: .random(), VMID: .random(in: 0...15), CACHE_POLICY: .init(rawValue: .random(in: 0...2)))),
        .SET_RESOURCES(
          SET_RESOURCES(
            VMID_MASK: .random(in: 0...UInt16.max), UNMAP_LATENTY: .random(in: 0...UInt8.max),
            QUEUE_TYPE: [.KERNEL_INTERFACE_QUEUE_KIQ, .HSA_INTERFACE_QUEUE_HIQ, .HSA_DEBUG_INTERFACE_QUEUE]
              .randomElement()!,
            QUEUE_MASK_LO: .random(in: 0...UInt32.max), QUEUE_MASK_HI: .random(in: 0...UInt32.max),
            GWS_MASK_LO: .random(in: 0...UInt32.max), GWS_MASK_HI: .random(in: 0...UInt32.max),
            OAC_MASK: .random(in: 0...UInt16.max), GDS_HEAP_BASE: .random(in: 0...63),
            GDS_HEAP_SIZE: .random(in: 0...63))),
      ]
      var stream: [UInt32] = []
      for packet in packets {
        stream += try encoded {
          switch packet {
          case .MAP_QUEUES(let p): try p.encode(into: &$0)
          case .UNMAP_QUEUES(let p): try p.encode(into: &$0)
          case .INDIRECT_BUFFER(let p): try p.encode(into: &$0)
          case .SET_RESOURCES(let p): try p.encode(into: &$0)
          default: XCTFail("not generated in this test")
          }
        }
      }
      XCTAssertEqual(try Pm4ViPacket.decode(stream).map(\.packet), packets)
    }
  }
}
