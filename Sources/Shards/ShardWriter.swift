/// Builds a shard record by record, compressing as it goes (one zstd frame, content checksum on).
///
///     var writer = try ShardWriter(kind: .pvpInput, metadata: #"{"job":3}"#)
///     try writer.append(record)
///     let blob = try writer.finish()   // header + payload, and its sha256 digest
///
/// Noncopyable: it owns a compression stream, which two copies could not share.
public struct ShardWriter: ~Copyable {
  public let kind: RecordKind
  /// Names the shard in errors.
  public let name: String
  /// Records appended so far.
  public private(set) var count = 0

  /// zstd level used when none is given.
  public static let defaultLevel: Int32 = 3
  /// Largest record body accepted: what `ShardReader` accepts by default.
  public static let maxRecordSize = ShardReader.defaultMaxRecordSize
  /// Uncompressed bytes gathered before each call into zstd.
  static let stagingSize = 128 << 10

  private let metadata: [UInt8]
  private let compressor: ZstdCompressor
  /// Header placeholder, then the compressed payload so far.
  private var output: [UInt8]
  /// Length-prefixed records not yet handed to zstd.
  private var staging: [UInt8] = []
  private var scratch = ByteWriter()
  private var contentLength: UInt64 = 0

  /// - Parameters:
  ///   - metadata: UTF-8 text stored in the header, JSON by convention; nil and "" are the same.
  ///   - level: zstd compression level, in `ZstdCompressor.levels` (fast negative levels to 19).
  ///   - name: names the shard in errors.
  public init(kind: RecordKind, metadata: String? = nil, level: Int32 = defaultLevel, name: String? = nil)
    throws(ShardError)
  {
    self.kind = kind
    self.name = name ?? "new \(kind) shard"
    self.metadata = Array((metadata ?? "").utf8)
    guard self.metadata.count <= Int(UInt32.max) else {
      throw ShardError(
        .compression, shard: self.name, "metadata of \(self.metadata.count) bytes exceeds 2^32-1")
    }
    compressor = try ZstdCompressor(level: level, shard: self.name)
    output = [UInt8](repeating: 0, count: ShardFormat.headerSize(metadataLength: self.metadata.count))
    staging.reserveCapacity(Self.stagingSize + 1024)
  }

  /// Appends one record; its kind must be the shard's.
  public mutating func append<R: ShardRecord>(_ record: R) throws(ShardError) {
    guard R.kind == kind else {
      throw ShardError(.wrongKind, shard: name, "cannot append a \(R.kind) record to a \(kind) shard")
    }
    scratch.removeAll()
    record.encode(into: &scratch)
    try appendFramed(scratch.bytes)
  }

  /// Appends one already-encoded record body (e.g. from `ShardReader.nextRawRecord()`).
  public mutating func appendRaw(_ recordBytes: [UInt8]) throws(ShardError) {
    try appendFramed(recordBytes)
  }

  private mutating func appendFramed(_ body: [UInt8]) throws(ShardError) {
    guard body.count <= Self.maxRecordSize else {
      throw ShardError(
        .compression, shard: name,
        "record \(count) has \(body.count) bytes, over the \(Self.maxRecordSize) limit")
    }
    let before = staging.count
    var prefix = ByteWriter(capacity: 10)
    prefix.writeVarint(UInt64(body.count))
    staging.append(contentsOf: prefix.bytes)
    staging.append(contentsOf: body)
    contentLength += UInt64(staging.count - before)
    count += 1
    if staging.count >= Self.stagingSize { try flush(end: false) }
  }

  /// Test hook: bytes straight into the record stream, unframed and uncounted.
  mutating func appendUnframed(_ bytes: [UInt8]) throws(ShardError) {
    staging.append(contentsOf: bytes)
    contentLength += UInt64(bytes.count)
    if staging.count >= Self.stagingSize { try flush(end: false) }
  }

  private mutating func flush(end: Bool) throws(ShardError) {
    if let failure = compressor.compress(staging, end: end, into: &output) {
      throw ShardError(.compression, shard: name, "ZSTD_compressStream2: \(failure)")
    }
    staging.removeAll(keepingCapacity: true)
  }

  /// Closes the zstd frame, fills in the header and computes the digest.
  public consuming func finish() throws(ShardError) -> ShardBlob {
    try flush(end: true)
    let headerSize = ShardFormat.headerSize(metadataLength: metadata.count)
    let payloadCRC = output.withUnsafeBytes {
      CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[headerSize...]))
    }
    let header = ShardHeader(
      kind: kind, recordCount: UInt64(count), contentLength: contentLength,
      payloadLength: UInt64(output.count - headerSize), payloadCRC: payloadCRC, metadata: metadata)
    let headerBytes = header.encoded()
    output.replaceSubrange(0..<headerSize, with: headerBytes)
    return ShardBlob(bytes: output)
  }
}
