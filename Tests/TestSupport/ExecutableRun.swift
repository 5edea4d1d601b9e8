import Foundation
import XCTest

/// A package executable run as a user runs it, from the build folder next to the tests.
public struct ExecutableRun {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  /// Runs `product` (built next to the test bundle) with `arguments`; skips the test when it was
  /// not built. Output goes through files, not pipes, so a large output cannot block the child.
  public init(_ product: String, _ arguments: [String]) throws {
    let path = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent(product).path
    guard FileManager.default.isExecutableFile(atPath: path) else { throw XCTSkip("no \(product) at \(path)") }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(product)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (out, err) = (folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
    for file in [out, err] { try Data().write(to: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    status = process.terminationStatus
    stdout = String(decoding: try Data(contentsOf: out), as: UTF8.self)
    stderr = String(decoding: try Data(contentsOf: err), as: UTF8.self)
  }
}
