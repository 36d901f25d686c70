import Foundation

/// Blobs as files under `root`: digest `sha256:abcdef...` is `<root>/sha256/ab/cdef...`. Files are
/// written to a temporary name and renamed into place, so a reader never sees half a blob; a blob
/// written by an enqueue that later rolled back is left behind, unreferenced and harmless.
public struct FileBlobStore: BlobStore {
  public let root: String

  public init(root: String) {
    self.root = root
  }

  /// The file that holds `digest`.
  public func path(for digest: String) throws -> String {
    let algorithm: Substring
    let hex: Substring
    if let colon = digest.firstIndex(of: ":") {
      algorithm = digest[..<colon]
      hex = digest[digest.index(after: colon)...]
    } else {
      algorithm = "sha256"
      hex = Substring(digest)
    }
    let lowerHex = hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    let simpleName = algorithm.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    guard !algorithm.isEmpty, simpleName, hex.count >= 3, lowerHex else {
      throw BlobStoreError(.badDigest, digest, "expected algorithm:lowercase-hex")
    }
    return "\(root)/\(algorithm)/\(hex.prefix(2))/\(hex.dropFirst(2))"
  }

  public func put(digest: String, bytes: [UInt8], on connection: PGConnection) throws {
    let path = try path(for: digest)
    let manager = FileManager.default
    if manager.fileExists(atPath: path) { return }
    let directory = (path as NSString).deletingLastPathComponent
    do {
      try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
      let temporary = directory + "/.tmp-\(UUID().uuidString)"
      guard manager.createFile(atPath: temporary, contents: Data(bytes)) else {
        throw BlobStoreError(.io, digest, "cannot write \(temporary)")
      }
      // rename(2) replaces atomically, also when another writer stored the same blob meanwhile.
      guard rename(temporary, path) == 0 else {
        let code = errno
        try? manager.removeItem(atPath: temporary)
        throw BlobStoreError(.io, digest, "cannot rename into \(path): errno \(code)")
      }
    } catch let error as BlobStoreError {
      throw error
    } catch {
      throw BlobStoreError(.io, digest, "cannot write under \(directory): \(error)")
    }
  }

  public func get(digest: String, on connection: PGConnection) throws -> [UInt8] {
    let path = try path(for: digest)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw BlobStoreError(.notFound, digest, "no file \(path)")
    }
    return [UInt8](data)
  }
}
