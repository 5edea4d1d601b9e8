/// One packet found in a dword stream.
public struct DecodedPM4Packet<Packet: Equatable & Sendable>: Equatable, Sendable {
  /// Index of the header in the stream (from 0).
  public var index: Int
  /// Header plus body.
  public var dwordCount: Int
  public var packet: Packet
  /// Stream indices of the variable-length payload (NOP filler, register values, data).
  public var payload: Range<Int>
  /// Header bit 1 (compute shader type) and bit 0 (predicate).
  public var shaderType: Bool
  public var predicate: Bool

  public init(
    index: Int, dwordCount: Int, packet: Packet, payload: Range<Int> = 0..<0, shaderType: Bool = false,
    predicate: Bool = false
  ) {
    self.index = index
    self.dwordCount = dwordCount
    self.packet = packet
    self.payload = payload
    self.shaderType = shaderType
    self.predicate = predicate
  }
}
