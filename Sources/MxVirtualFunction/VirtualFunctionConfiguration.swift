import MxCSA
import MxKIQ
import MxMemory
import MxVirtualization

/// Everything a `VirtualFunction` takes from the chip, the firmware, the host and the driver's
/// options, with the Linux driver's defaults.
public struct VirtualFunctionConfiguration: Sendable {
  public var chip: VIChip
  /// The PCI device ID the function was found at, checked against the chip's table; nil skips
  /// the check.
  public var pciDeviceID: UInt16?
  /// Kernel compute rings (`amdgpu.num_kcq`, 8 by default).
  public var computeQueueCount = ComputeTopology.defaultComputeRings
  /// The VM size the CSA's address follows.
  public var vmSize = VMSize(gigabytes: 64)!
  /// CE and PFP firmware feature versions: they choose the CSA metadata layout.
  public var constantEngineFeatureVersion: UInt32 = CSAMetadataLayout.chainedIBFeatureVersion
  public var prefetchParserFeatureVersion: UInt32 = CSAMetadataLayout.chainedIBFeatureVersion
  /// Where the writeback slots (rings' read and write pointers, fences) live. The driver puts them
  /// in GTT; a host whose scheduler polls write pointers only in the VF's first 256 MiB of VRAM
  /// (GIM's liquid mode, host mismatch 11) needs `.vram`, and then they are rebuilt after every
  /// grant like everything else in VRAM.
  public var writebackDomain = MemoryDomain.gtt
  /// How long one exclusive window may take, measured from the grant. GIM takes the GPU back 5 s
  /// after it began serving the request (host mismatch 3); the default leaves it half a second.
  /// Bring-up and recovery check it between steps and give the GPU back when it runs out,
  /// rather than be reset by the host.
  public var exclusiveBudget: Duration = .milliseconds(4500)
  /// How access requests are retried.
  public var accessRetry = AccessRetryPolicy()
  /// How often bring-up or recovery is attempted in all: the kernel's 1 + `AMDGPU_MAX_RETRY_LIMIT`.
  public var attempts = 3
  /// The ring test's wait for SCRATCH_REG0 (`adev->usec_timeout`, polled every microsecond).
  public var ringTestTimeout: Duration = .milliseconds(100)
  public var ringTestPoll: Duration = .microseconds(1)
  public var mailbox = MailboxConfiguration()
  public var kiqBudget = KIQAccessBudget.driver
  /// How many life-cycle steps `VirtualFunction.history` keeps (the newest): a VF that runs for
  /// hours through resets does not grow without bound.
  public var historyCapacity = 10_000

  public init(chip: VIChip) {
    self.chip = chip
  }

  /// The CSA metadata layout the firmware versions choose.
  public var metadataLayout: CSAMetadataLayout {
    CSAMetadataLayout(
      constantEngineFeatureVersion: constantEngineFeatureVersion,
      prefetchParserFeatureVersion: prefetchParserFeatureVersion)
  }
}

/// How a VF asks for exclusive access when the host acknowledges without answering — GIM drops
/// requests after acknowledging them (host mismatch 4), keeps them waiting while another VF owns
/// the GPU, and serves a waiting request only when some VF's mailbox interrupts it again
/// (mismatch 5). Asking again is safe with GIM (the same request still waiting is dropped) and is
/// what re-kicks its queue.
public struct AccessRetryPolicy: Equatable, Sendable {
  /// Requests sent in all.
  public var attempts = 4
  /// The longest all attempts may take together; no new attempt starts after it.
  public var totalBudget: Duration = .seconds(60)
  /// The pause before asking again.
  public var backoff: Duration = .milliseconds(10)

  public init() {}
}
