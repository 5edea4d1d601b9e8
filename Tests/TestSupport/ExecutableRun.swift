import Foundation
import XCTest

/// A package executable run as a user runs it, from the build folder next to the tests.
public struct ExecutableRun {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  /// Where `product` is built: next to the test bundle.
  public static func path(of product: String) throws -> String {
    let path = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent(product).path
    guard FileManager.default.isExecutableFile(atPath: path) else { throw XCTSkip("no \(product) at \(path)") }
    return path
  }

  /// Runs `product` (built next to the test bundle) with `arguments`; skips the test when it was
  /// not built. Output goes through files, not pipes, so a large output cannot block the child.
  public init(_ product: String, _ arguments: [String]) throws {
    try self.init(executable: Self.path(of: product), arguments)
  }

  /// Runs the executable at `path` with `arguments`, in `directory` (the test's own when nil)
  /// and with `environment` (the test's own when nil).
  public init(
    executable path: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil
  ) throws {
    let product = (path as NSString).lastPathComponent
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(product)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (out, err) = (folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
    for file in [out, err] { try Data().write(to: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    status = process.terminationStatus
    stdout = String(decoding: try Data(contentsOf: out), as: UTF8.self)
    stderr = String(decoding: try Data(contentsOf: err), as: UTF8.self)
  }
}
