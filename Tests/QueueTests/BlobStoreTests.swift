import Foundation
import Queue
import Testing

@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct BlobStoreTests {
  static let bytes: [UInt8] = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }

  static func digest() -> String {
    "sha256:"
      + (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }
      .joined()
  }

  @Test func postgresStoreRoundTripsAndNamesAMissingDigest() throws {
    let connection = try TestDatabase.connect()
    let store = PostgresBlobStore()
    let digest = Self.digest()
    try store.put(digest: digest, bytes: Self.bytes, on: connection)
    try store.put(digest: digest, bytes: Self.bytes, on: connection)  // twice is harmless
    #expect(try store.get(digest: digest, on: connection) == Self.bytes)
    let size = try connection.query("SELECT length(data) FROM blobs WHERE digest = $1", [.text(digest)])
    #expect(size.int(0, 0) == Self.bytes.count)
    let missing = Self.digest()
    let error = try #require(throws: BlobStoreError.self) {
      try store.get(digest: missing, on: connection)
    }
    #expect(error.code == .notFound && error.description.contains(missing))
  }

  @Test func fileStoreRoundTripsUnderTheDigestPath() throws {
    let root = NSTemporaryDirectory() + "pp-blobs-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let connection = try TestDatabase.connect()
    let store = try #require(try BlobStores.parse("file://" + root) as? FileBlobStore)
    #expect(store.root == root)
    let digest = Self.digest()
    try store.put(digest: digest, bytes: Self.bytes, on: connection)
    try store.put(digest: digest, bytes: Self.bytes, on: connection)
    let hex = digest.dropFirst("sha256:".count)
    let path = "\(root)/sha256/\(hex.prefix(2))/\(hex.dropFirst(2))"
    #expect(FileManager.default.contents(atPath: path) == Data(Self.bytes))
    #expect(try store.get(digest: digest, on: connection) == Self.bytes)
    // No temporary files are left next to the blob.
    let siblings = try FileManager.default.contentsOfDirectory(
      atPath: (path as NSString).deletingLastPathComponent)
    #expect(siblings == [String(hex.dropFirst(2))])
    let error = try #require(throws: BlobStoreError.self) {
      try store.get(digest: Self.digest(), on: connection)
    }
    #expect(error.code == .notFound)
    #expect(throws: BlobStoreError.self) {
      try store.put(digest: "sha256:../../etc", bytes: [], on: connection)
    }
  }

  @Test func storeURIsParse() throws {
    #expect(try BlobStores.parse("postgres") is PostgresBlobStore)
    #expect(try BlobStores.parse("") is PostgresBlobStore)
    #expect((try BlobStores.parse("file:///var/blobs/") as? FileBlobStore)?.root == "/var/blobs")
    for bad in ["s3://bucket", "file://relative/path", "postgres://elsewhere"] {
      let error = try #require(throws: BlobStoreError.self) { try BlobStores.parse(bad) }
      #expect(error.code == .badURI && error.subject == bad)
    }
  }
}
