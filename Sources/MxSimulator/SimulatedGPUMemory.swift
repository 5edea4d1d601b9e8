import MxLock
import MxMemory

/// GPU memory for tests and the simulator: every allocation is real host memory at a GPU address
/// of its own, and every GPU-side access (`read32`/`write32`, what the simulated command processor
/// does) is checked to lie inside a live allocation. An access outside one is not performed; it is
/// recorded in `faults` and reported to the caller. Space is handed out next-fit: from where the
/// last allocation of the domain ended, wrapping round to the domain's start when the rest is
/// taken. A freed address is handed out again only after the allocator has gone round its whole
/// domain, so a stale address faults rather than reaching someone else's buffer for as long as
/// it can, and a run that allocates and frees for hours does not run out.
///
/// Layout: VRAM from GPU address 0 (a VF sees its VRAM from 0, facts 1.4), GTT from 0x80_0000_0000.
/// Every VM sees that layout (the model has no page tables) and, above it, what is mapped into
/// every VM (`mapIntoEveryVM`: the CSA at the top of each VM).
public final class SimulatedGPUMemory: GPUMemory, Sendable {
  /// A GPU access outside every live allocation, or not dword-aligned.
  public struct Fault: Equatable, Sendable, CustomStringConvertible {
    public var address: UInt64
    public var bytes: Int
    public var write: Bool

    public init(address: UInt64, bytes: Int, write: Bool) {
      self.address = address
      self.bytes = bytes
      self.write = write
    }

    public var description: String {
      "\(write ? "write" : "read") of \(bytes) bytes at GPU address 0x\(String(address, radix: 16, uppercase: true)) outside every allocation"
    }
  }

  public static let vramBase: UInt64 = 0
  public static let gttBase: UInt64 = 0x80_0000_0000

  fileprivate struct State {
    /// Live allocations, sorted by GPU address (looked up by binary search: the CP touches
    /// memory for every packet).
    var allocations: [GPUAllocation] = []
    var next: [MemoryDomain: UInt64] = [.vram: SimulatedGPUMemory.vramBase, .gtt: SimulatedGPUMemory.gttBase]
    var faults = BoundedLog<Fault>(capacity: 1_000)
    /// Allocations mapped into every VM, by virtual address.
    var everyVM: [(virtualAddress: UInt64, allocation: GPUAllocation)] = []
  }

  private let state = Lock(State())
  private let capacity: [MemoryDomain: UInt64]

  /// - Parameters: `vramBytes`, `gttBytes`: how much each domain can hand out in all.
  public init(vramBytes: UInt64 = 256 << 20, gttBytes: UInt64 = 256 << 20) {
    capacity = [.vram: vramBytes, .gtt: gttBytes]
  }

  deinit {
    state.withLock { state in
      for allocation in state.allocations { allocation.cpu.deallocate() }
    }
  }

  public func allocate(bytes: Int, alignment: Int, domain: MemoryDomain) throws(GPUMemoryError) -> GPUAllocation {
    guard bytes > 0, alignment > 0, alignment & (alignment - 1) == 0 else {
      throw .invalidRequest(bytes: bytes, alignment: alignment)
    }
    let base = domain == .vram ? Self.vramBase : Self.gttBase
    let end = base + capacity[domain]!
    return try state.withLock { state throws(GPUMemoryError) in
      let (size, mask) = (UInt64(bytes), UInt64(alignment) - 1)
      guard
        let address = state.gap(of: size, alignedBy: mask, from: state.next[domain]!, below: end)
          ?? state.gap(of: size, alignedBy: mask, from: base, below: end)
      else { throw .outOfMemory(domain: domain, bytes: bytes) }
      state.next[domain] = address + size
      let cpu = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: max(alignment, 16))
      cpu.initializeMemory(as: UInt8.self, repeating: 0)
      let allocation = GPUAllocation(gpuAddress: address, cpu: cpu, domain: domain)
      state.allocations.insert(allocation, at: state.insertionIndex(of: address))
      return allocation
    }
  }

  public func free(_ allocation: GPUAllocation) {
    state.withLock { state in
      guard let index = state.allocations.firstIndex(where: { $0.gpuAddress == allocation.gpuAddress }) else { return }
      state.everyVM.removeAll { $0.allocation.gpuAddress == allocation.gpuAddress }
      state.allocations.remove(at: index).cpu.deallocate()
    }
  }

  public func mapIntoEveryVM(_ allocation: GPUAllocation, at virtualAddress: UInt64) {
    state.withLock { state in
      precondition(state.allocations.contains { $0.gpuAddress == allocation.gpuAddress }, "not a live allocation")
      state.everyVM.removeAll { $0.virtualAddress == virtualAddress }
      state.everyVM.append((virtualAddress, allocation))
    }
  }

  /// Live allocations, by GPU address.
  public var allocations: [GPUAllocation] { state.withLock { $0.allocations } }

  /// The GPU accesses that fell outside the live allocations, in order (the newest 1,000).
  public var faults: [Fault] { state.withLock { $0.faults.entries } }
  /// How many GPU accesses fell outside the live allocations in all.
  public var faultCount: Int { state.withLock { $0.faults.total } }

  /// The dword at GPU address `address`, or nil (and a recorded fault) outside every allocation.
  public func read32(at address: UInt64) -> UInt32? {
    pointer(address, bytes: 4, write: false)?.load(as: UInt32.self)
  }

  /// Writes the dword at GPU address `address`; false (and a recorded fault) outside every allocation.
  @discardableResult
  public func write32(_ value: UInt32, at address: UInt64) -> Bool {
    guard let target = pointer(address, bytes: 4, write: true) else { return false }
    target.storeBytes(of: value, as: UInt32.self)
    return true
  }

  /// Overwrites every VRAM allocation with `pattern`, as the host does when it hands the GPU to
  /// another VF or resets it (pf-host-facts: VRAM is not preserved across an init grant).
  public func clobberVRAM(with pattern: UInt32 = 0xDEAD_BEEF) {
    state.withLock { state in
      for allocation in state.allocations where allocation.domain == .vram {
        allocation.cpu.bindMemory(to: UInt32.self).update(repeating: pattern)
      }
    }
  }

  /// Whether `address` lies in the VRAM range.
  public func isVRAM(_ address: UInt64) -> Bool {
    address >= Self.vramBase && address - Self.vramBase < capacity[.vram]!
  }

  /// Runs `body` over the `bytes` bytes at GPU address `address`, with the memory held so that
  /// nothing is freed under it; nil (and a recorded fault) when they do not lie inside one live
  /// allocation. Any alignment: CP DMA moves bytes. `body` must not use this memory object.
  public func withBytes<T>(
    at address: UInt64, count bytes: Int, writing: Bool, _ body: (UnsafeMutableRawBufferPointer) -> T
  ) -> T? {
    state.withLock { state in
      guard let region = state.region(address, bytes: bytes) else {
        state.faults.append(Fault(address: address, bytes: bytes, write: writing))
        return nil
      }
      return body(region)
    }
  }

  /// Copies `bytes` bytes from GPU address `source` to `destination` (each inside one live
  /// allocation; overlapping ranges copy as `memmove` does); false, and a fault recorded for the
  /// side that lies outside, when either does not.
  public func copy(from source: UInt64, to destination: UInt64, bytes: Int) -> Bool {
    state.withLock { state in
      guard let from = state.region(source, bytes: bytes) else {
        state.faults.append(Fault(address: source, bytes: bytes, write: false))
        return false
      }
      guard let to = state.region(destination, bytes: bytes) else {
        state.faults.append(Fault(address: destination, bytes: bytes, write: true))
        return false
      }
      if bytes > 0 { to.baseAddress!.copyMemory(from: from.baseAddress!, byteCount: bytes) }
      return true
    }
  }

  private func pointer(_ address: UInt64, bytes: Int, write: Bool) -> UnsafeMutableRawPointer? {
    state.withLock { state in
      guard address % 4 == 0, let region = state.region(address, bytes: bytes) else {
        state.faults.append(Fault(address: address, bytes: bytes, write: write))
        return nil
      }
      return region.baseAddress!
    }
  }
}

extension SimulatedGPUMemory.State {
  /// Where an allocation at `address` goes in the sorted list.
  fileprivate func insertionIndex(of address: UInt64) -> Int {
    var (low, high) = (0, allocations.count)
    while low < high {
      let middle = (low + high) / 2
      if allocations[middle].gpuAddress < address { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// The lowest address at or above `start`, aligned by `mask`, where `size` bytes lie below
  /// `end` and outside every allocation.
  fileprivate func gap(of size: UInt64, alignedBy mask: UInt64, from start: UInt64, below end: UInt64) -> UInt64? {
    var index = insertionIndex(of: start)
    var candidate = start
    if index > 0 { candidate = max(candidate, allocations[index - 1].end) }
    while true {
      let address = (candidate + mask) & ~mask
      let limit = index < allocations.count ? min(allocations[index].gpuAddress, end) : end
      if address <= limit, limit - address >= size { return address }
      guard index < allocations.count, allocations[index].gpuAddress < end else { return nil }
      candidate = allocations[index].end
      index += 1
    }
  }

  /// The host memory behind the `bytes` bytes at `address`, if one allocation holds them all.
  fileprivate func region(_ address: UInt64, bytes: Int) -> UnsafeMutableRawBufferPointer? {
    // The last allocation that starts at or below `address` is the only one that can hold it.
    let index = insertionIndex(of: address &+ 1) - 1
    let allocation: GPUAllocation
    let start: Int
    if index >= 0, allocations[index].contains(address, bytes: bytes) {
      allocation = allocations[index]
      start = Int(address - allocation.gpuAddress)
    } else if let mapping = everyVM.first(where: {
      address >= $0.virtualAddress
        && $0.allocation.contains(address - $0.virtualAddress + $0.allocation.gpuAddress, bytes: bytes)
    }) {
      allocation = mapping.allocation
      start = Int(address - mapping.virtualAddress)
    } else {
      return nil
    }
    return UnsafeMutableRawBufferPointer(rebasing: allocation.cpu[start..<start + bytes])
  }
}

extension GPUAllocation {
  /// The first GPU address after it.
  fileprivate var end: UInt64 { gpuAddress + UInt64(size) }
}
