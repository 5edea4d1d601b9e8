import Foundation
import MxSwiftEmitter

/// The folder generated files go to. The generator owns exactly the files that start with
/// `GeneratedFile.banner`; every other file in the folder is left alone.
public struct OutputFolder: Sendable {
  public let path: String

  public init(path: String) {
    self.path = path
  }

  public enum Difference: Equatable, Sendable, CustomStringConvertible {
    case missing(String)
    case changed(String)
    case stale(String)

    public var description: String {
      switch self {
      case .missing(let path): "\(path): missing"
      case .changed(let path): "\(path): differs from what the specs generate"
      case .stale(let path): "\(path): generated file that the specs no longer produce"
      }
    }
  }

  public struct WriteError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Relative paths of the files in the folder that the generator owns.
  public func ownedFiles() -> [String] {
    allFiles().filter { isOwned(path + "/" + $0) }.sorted()
  }

  /// How the folder differs from `files`; empty when it is up to date.
  public func differences(from files: [GeneratedFile]) -> [Difference] {
    let wanted = Set(files.map(\.path))
    let folder = self
    var result = files.concurrentMap { file -> Difference? in
      guard let existing = FileManager.default.contents(atPath: folder.path + "/" + file.path) else {
        return .missing(folder.display(file.path))
      }
      return Self.same(existing, file.contents) ? nil : .changed(folder.display(file.path))
    }.compactMap { $0 }
    for owned in ownedFiles() where !wanted.contains(owned) {
      result.append(.stale(display(owned)))
    }
    return result
  }

  /// Whether `data` holds exactly the UTF-8 of `text`, compared in place (generated files are
  /// megabytes; no copy of either).
  private static func same(_ data: Data, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { utf8 in
      data.count == utf8.count
        && (utf8.isEmpty || data.withUnsafeBytes { memcmp($0.baseAddress!, utf8.baseAddress!, utf8.count) == 0 })
    }
  }

  /// Replaces the folder's generated files with `files` as one step: the new folder is built
  /// aside (a copy of the other files plus the new generated ones), then swapped in by rename.
  /// If anything fails before the swap, the folder is untouched.
  public func write(_ files: [GeneratedFile]) throws {
    let fm = FileManager.default
    let target = URL(fileURLWithPath: path).standardizedFileURL
    let parent = target.deletingLastPathComponent()
    let (staging, backup) = FolderSwap.asideFolders(for: target)
    do {
      try fm.createDirectory(at: parent, withIntermediateDirectories: true)
      var isDirectory: ObjCBool = false
      let exists = fm.fileExists(atPath: target.path, isDirectory: &isDirectory)
      if exists && !isDirectory.boolValue {
        throw WriteError(description: "output '\(path)' exists and is not a folder")
      }
      if exists {
        try fm.copyItem(at: target, to: staging)
        var emptied = Set<String>()
        for owned in OutputFolder(path: staging.path).ownedFiles() {
          try fm.removeItem(atPath: staging.path + "/" + owned)
          emptied.insert((owned as NSString).deletingLastPathComponent)
        }
        OutputFolder(path: staging.path).removeFoldersLeftEmpty(emptied)
      } else {
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
      }
      for file in files {
        let destination = staging.appendingPathComponent(file.path)
        try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard fm.createFile(atPath: destination.path, contents: Data(file.contents.utf8)) else {
          throw WriteError(description: "cannot write '\(destination.path)'")
        }
      }
      try FolderSwap.replace(target, with: staging, backup: backup)
    } catch {
      try? fm.removeItem(at: staging)
      if let error = error as? WriteError { throw error }
      throw WriteError(description: "cannot write '\(path)': \(error.localizedDescription)")
    }
  }

  private func display(_ relative: String) -> String { path + "/" + relative }

  private func isOwned(_ file: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: file) else { return false }
    defer { try? handle.close() }
    let prefix = Data(GeneratedFile.banner.utf8)
    return (try? handle.read(upToCount: prefix.count)) == prefix
  }

  private func allFiles() -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
    var result: [String] = []
    while let relative = enumerator.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        result.append(relative)
      }
    }
    return result
  }

  /// Removes those of `folders` (and their parents) that removing stale files left empty.
  private func removeFoldersLeftEmpty(_ folders: Set<String>) {
    let fm = FileManager.default
    for folder in folders.sorted(by: { $0.count > $1.count }) {
      var current = folder
      while !current.isEmpty, current != "/" {
        let full = path + "/" + current
        guard (try? fm.contentsOfDirectory(atPath: full))?.isEmpty == true else { break }
        try? fm.removeItem(atPath: full)
        current = (current as NSString).deletingLastPathComponent
      }
    }
  }
}
