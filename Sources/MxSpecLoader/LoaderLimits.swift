/// Bounds on what the loader accepts, so a hostile or broken spec cannot exhaust the machine.
public struct LoaderLimits: Sendable {
  /// Largest spec file accepted, in bytes. The full gfx_8_0 import is about 5 MB.
  public var maxFileBytes: Int
  /// Deepest element nesting accepted; real specs nest at most six levels.
  public var maxDepth: Int
  /// Most files one load may read through includes and folder scanning.
  public var maxFiles: Int

  public init(maxFileBytes: Int = 32 << 20, maxDepth: Int = 16, maxFiles: Int = 1024) {
    self.maxFileBytes = maxFileBytes
    self.maxDepth = maxDepth
    self.maxFiles = maxFiles
  }

  public static let `default` = LoaderLimits()
}
