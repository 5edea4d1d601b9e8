import MxMMIO
import MxSimulator
import MxVirtualization

/// A guest mailbox wired to a simulated host, in virtual time.
struct Harness {
  let simulation: MailboxSimulation
  let mailbox: GuestMailbox<MailboxSimulation, SimulatedClock>

  init(_ behavior: HostBehavior = .gim, interrupts: Bool = false) async {
    simulation = MailboxSimulation(behavior: behavior)
    let mailbox = GuestMailbox(bus: simulation, clock: simulation.clock)
    simulation.connectInterrupts { mailbox.interruptReceived(sourceID: $0) }
    self.mailbox = mailbox
    if interrupts { await mailbox.enableInterrupts() }
    simulation.clearTrace()
  }

  var now: Duration { simulation.clock.now.offset }
}

// Offsets of the bif_5_0 mailbox registers (facts 2.1) and trace entries, named as the hardware
// names them so that expected traces read like the kernel sequence.
// swift-format-ignore: AlwaysUseLowerCamelCase
let TRN_DW0: UInt32 = 0x14C8
// swift-format-ignore: AlwaysUseLowerCamelCase
let RCV_DW0: UInt32 = 0x14CC
// swift-format-ignore: AlwaysUseLowerCamelCase
let CONTROL: UInt32 = 0x14D0
// swift-format-ignore: AlwaysUseLowerCamelCase
let INT_CNTL: UInt32 = 0x14D1

// swift-format-ignore: AlwaysUseLowerCamelCase
func R(_ offset: UInt32, _ value: UInt32) -> BusAccess { .read(offset: offset, value: value) }
// swift-format-ignore: AlwaysUseLowerCamelCase
func W(_ offset: UInt32, _ value: UInt32) -> BusAccess { .write(offset: offset, value: value) }
