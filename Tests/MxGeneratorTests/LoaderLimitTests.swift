import Foundation
import MxSpecLoader
import XCTest

/// The loader's limits hold with files read in parallel: no more files are read than allowed,
/// and the first one over is reported.
final class LoaderLimitTests: XCTestCase {
  func testNoMoreFilesThanTheLimitAreRead() throws {
    let folder = try Fixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    for index in 0..<5 {
      let spec = """
        <?xml version="1.0"?>
        <spec format="1"><block name="b\(index)" version="1.0"><register name="R" offset="0x1"/></block></spec>
        """
      try Data(spec.utf8).write(to: URL(fileURLWithPath: "\(folder)/s\(index).xml"))
    }
    let result = SpecLoader(limits: LoaderLimits(maxFiles: 3)).load(from: folder)
    XCTAssertEqual(result.files.map { ($0 as NSString).lastPathComponent }, ["s0.xml", "s1.xml", "s2.xml"])
    XCTAssertEqual(result.spec.blocks.map(\.name), ["b0", "b1", "b2"])
    XCTAssertEqual(result.diagnostics.errors.map(\.message), ["more than 3 spec files", "more than 3 spec files"])
  }
}
