import Foundation

/// Where `gen doc --html` writes: a folder that is replaced as a whole, built aside and swapped
/// in, so a failure leaves the previous reference (or nothing) in place. A marker file says the
/// folder is a reference; any other existing folder is refused rather than replaced.
public struct ReferenceFolder: Sendable {
  public static let marker = ".mxgpukit-reference"
  public let path: String

  public init(path: String) {
    self.path = path
  }

  public struct WriteError: Error, CustomStringConvertible {
    public var description: String
  }

  public func write(_ pages: [ReferenceSite.Page]) throws {
    let fm = FileManager.default
    let target = URL(fileURLWithPath: path).standardizedFileURL
    var isDirectory: ObjCBool = false
    let exists = fm.fileExists(atPath: target.path, isDirectory: &isDirectory)
    if exists && !(isDirectory.boolValue && fm.fileExists(atPath: target.appendingPathComponent(Self.marker).path)) {
      let empty = isDirectory.boolValue && ((try? fm.contentsOfDirectory(atPath: target.path))?.isEmpty ?? false)
      guard empty else {
        throw WriteError(
          description: "'\(path)' exists and is not a reference `gen doc` wrote; remove it or choose another folder")
      }
    }
    let (staging, backup) = FolderSwap.asideFolders(for: target)
    do {
      try fm.createDirectory(at: staging, withIntermediateDirectories: true)
      let folders = Set(pages.map { ($0.path as NSString).deletingLastPathComponent }).filter { !$0.isEmpty }
      for folder in folders.sorted() {
        try fm.createDirectory(at: staging.appendingPathComponent(folder), withIntermediateDirectories: true)
      }
      for page in pages + [ReferenceSite.Page(path: Self.marker, contents: "")] {
        guard fm.createFile(atPath: staging.appendingPathComponent(page.path).path, contents: Data(page.contents.utf8))
        else { throw WriteError(description: "cannot write '\(page.path)' in '\(staging.path)'") }
      }
      try FolderSwap.replace(target, with: staging, backup: backup)
    } catch {
      try? fm.removeItem(at: staging)
      if let error = error as? WriteError { throw error }
      throw WriteError(description: "cannot write '\(path)': \(error.localizedDescription)")
    }
  }
}
