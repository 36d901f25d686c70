/// Reads a shard: checks its digest (when one is expected) and header before anything is used,
/// then decodes records one at a time through a bounded window, so a shard is never inflated
/// whole in memory.
///
///     let reader = try ShardReader(bytes: blob.bytes, expectedDigest: blob.digest,
///                                  expectedKind: .pvpInput, name: "job 3 shard 0 (input)")
///     while let record: PVPImageQuestions = try reader.next() { ... }
///
/// After the last record, `next()` returns nil only once the zstd frame has been decoded to its
/// end (content checksum verified) and the record count and content length agree with the header.
/// After any error the reader stays failed and rethrows it.
public final class ShardReader {
  /// Names the shard in errors.
  public let name: String
  public let kind: RecordKind
  /// The header's metadata text; nil when it is empty.
  public let metadata: String?
  /// Records the header says the shard holds.
  public let count: Int
  /// Records returned so far.
  public private(set) var recordsRead = 0

  /// Default bound on one record's body; larger length prefixes are rejected before buffering.
  public static let defaultMaxRecordSize = 256 << 20
  /// The window starts here and doubles only while a record does not fit.
  static let initialWindowSize = 256 << 10

  private let blob: [UInt8]
  private let payload: Range<Int>
  /// Next unread payload byte (an index into `blob`).
  private var inputPosition: Int
  private let contentLength: UInt64
  private var contentProduced: UInt64 = 0
  private let maxRecordSize: Int
  private let decompressor: ZstdDecompressor
  /// Decompressed bytes: `window[readPosition..<writePosition]` is not yet consumed.
  private var window: [UInt8]
  private var readPosition = 0
  private var writePosition = 0
  private var frameEnded = false
  private var failure: ShardError?

  /// Current window size in bytes (for tests of the memory bound).
  var windowCapacity: Int { window.count }
  /// Largest window size so far.
  private(set) var peakWindowCapacity: Int
  /// Bytes zstd holds for the decompression context.
  var decompressorMemory: Int { decompressor.memoryUsage }

  /// - Parameters:
  ///   - expectedDigest: "sha256:<hex>" from where the blob was recorded; when given, it is
  ///     checked first, over the whole blob, before any byte is interpreted.
  ///   - expectedKind: when given, a shard of another kind throws `.wrongKind`.
  ///   - name: names the shard in errors (e.g. "job 3 shard 17 (input)").
  ///   - maxRecordSize: records with longer bodies are rejected as corrupt.
  public init(
    bytes: [UInt8], expectedDigest: String?, expectedKind: RecordKind?, name: String,
    maxRecordSize: Int = ShardReader.defaultMaxRecordSize
  ) throws(ShardError) {
    precondition(maxRecordSize >= 0, "maxRecordSize must not be negative")
    func fail(_ code: ShardError.Code, _ detail: String) -> ShardError {
      ShardError(code, shard: name, detail)
    }

    if let expectedDigest {
      let actual = ShardBlob.digest(of: bytes)
      guard Self.normalizedDigest(expectedDigest) == actual else {
        throw fail(.digestMismatch, "expected \(expectedDigest), blob has \(actual)")
      }
    }
    let header = try ShardHeader.parse(bytes, name: name)
    if let expectedKind, expectedKind != header.kind {
      throw fail(.wrongKind, "records are \(header.kind), expected \(expectedKind)")
    }
    guard header.recordCount <= header.contentLength, let count = Int(exactly: header.recordCount) else {
      throw fail(
        .countMismatch,
        "header says \(header.recordCount) records in \(header.contentLength) bytes (each takes at least 1)")
    }
    let payload = header.size..<bytes.count
    // The digest covers the payload already; without one, its CRC-32 stands in for it.
    if expectedDigest == nil {
      let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[payload])) }
      guard crc == header.payloadCRC else {
        throw fail(
          .corruptPayload, "payload CRC-32 is \(hex32(crc)), header says \(hex32(header.payloadCRC))")
      }
    }
    try Self.checkFrame(bytes, payload, fail)

    self.name = name
    self.kind = header.kind
    self.metadata = header.metadata.isEmpty ? nil : String(decoding: header.metadata, as: UTF8.self)
    self.count = count
    self.blob = bytes
    self.payload = payload
    self.inputPosition = payload.lowerBound
    self.contentLength = header.contentLength
    self.maxRecordSize = maxRecordSize
    self.decompressor = try ZstdDecompressor(shard: name)
    self.window = [UInt8](repeating: 0, count: Self.initialWindowSize)
    self.peakWindowCapacity = Self.initialWindowSize
  }

  /// Reads a blob whose digest is known, e.g. one just written or fetched with its recorded digest.
  public convenience init(
    blob: ShardBlob, expectedKind: RecordKind?, name: String,
    maxRecordSize: Int = ShardReader.defaultMaxRecordSize
  ) throws(ShardError) {
    try self.init(
      bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: expectedKind, name: name,
      maxRecordSize: maxRecordSize)
  }

  /// The next record, or nil after the last one (see the type's notes for what nil guarantees).
  public func next<R: ShardRecord>() throws(ShardError) -> R? {
    guard R.kind == kind else {
      throw ShardError(.wrongKind, shard: name, "cannot read \(R.kind) records from a \(kind) shard")
    }
    guard let range = try nextRecordRange() else { return nil }
    var reader = ByteReader(window, range: range)
    do throws(ShardError) {
      let record = try R.decode(from: &reader)
      guard reader.isAtEnd else {
        throw ByteReader.error("\(reader.remaining) of its \(range.count) bytes are left over")
      }
      return record
    } catch {
      let wrapped = ShardError(error.code, shard: name, "record \(recordsRead - 1): \(error.detail)")
      failure = wrapped
      throw wrapped
    }
  }

  /// The next record, naming its type instead of inferring it.
  public func next<R: ShardRecord>(_ type: R.Type) throws(ShardError) -> R? {
    try next()
  }

  /// The next record's bytes, undecoded (its length prefix removed), or nil after the last one.
  public func nextRawRecord() throws(ShardError) -> [UInt8]? {
    guard let range = try nextRecordRange() else { return nil }
    return Array(window[range])
  }

  /// All remaining records.
  public func readAll<R: ShardRecord>(_ type: R.Type) throws(ShardError) -> [R] {
    var records = [R]()
    while let record: R = try next() { records.append(record) }
    return records
  }

  /// Accepts "sha256:<hex>" in either case; anything else compares unequal.
  private static func normalizedDigest(_ digest: String) -> String { digest.lowercased() }

  /// The payload must be exactly one zstd frame with the content checksum flag set.
  private static func checkFrame(
    _ bytes: [UInt8], _ payload: Range<Int>, _ fail: (ShardError.Code, String) -> ShardError
  ) throws(ShardError) {
    let magic = ShardFormat.zstdFrameMagic
    guard payload.count >= magic.count + 1, bytes[payload.prefix(magic.count)].elementsEqual(magic) else {
      throw fail(.corruptPayload, "payload does not start with a zstd frame")
    }
    let descriptor = bytes[payload.lowerBound + magic.count]
    guard descriptor & 0x04 != 0 else {
      throw fail(.corruptPayload, "zstd frame has no content checksum")
    }
    let frameSize = bytes.withUnsafeBytes {
      ZstdDecompressor.frameSize(UnsafeRawBufferPointer(rebasing: $0[payload]))
    }
    switch frameSize {
    case .failure(let message):
      throw fail(.corruptPayload, "zstd frame: \(message)")
    case .success(let size) where size != payload.count:
      throw fail(.corruptPayload, "zstd frame takes \(size) of the payload's \(payload.count) bytes")
    case .success: break
    }
  }

  private func nextRecordRange() throws(ShardError) -> Range<Int>? {
    if let failure { throw failure }
    do {
      return try advance()
    } catch {
      failure = error
      throw error
    }
  }

  private func fail(_ code: ShardError.Code, _ detail: String) -> ShardError {
    ShardError(code, shard: name, detail)
  }

  private func advance() throws(ShardError) -> Range<Int>? {
    if recordsRead == count {
      try finishPayload()
      return nil
    }
    try fill(atLeast: 10)  // a length prefix is at most 10 bytes
    let available = writePosition - readPosition
    guard available > 0 else {
      throw fail(.countMismatch, "header says \(count) records, payload holds \(recordsRead)")
    }
    let start = readPosition
    let decoded = window.withUnsafeBufferPointer { Varint.decode($0.baseAddress! + start, count: available) }
    let length: UInt64
    let prefixLength: Int
    switch decoded {
    case .value(let value, let size):
      (length, prefixLength) = (value, size)
    case .incomplete:
      throw fail(.corruptPayload, "record \(recordsRead): payload ends inside its length prefix")
    case .overflow, .nonCanonical:
      throw fail(.corruptPayload, "record \(recordsRead): malformed length prefix")
    }
    guard length <= UInt64(maxRecordSize) else {
      throw fail(
        .corruptPayload, "record \(recordsRead): length \(length) exceeds the \(maxRecordSize)-byte limit")
    }
    let consumed = contentProduced - UInt64(available)
    guard consumed + UInt64(prefixLength) + length <= contentLength else {
      throw fail(
        .corruptPayload,
        "record \(recordsRead): length \(length) runs past the content length \(contentLength)")
    }
    let total = prefixLength + Int(length)
    try fill(atLeast: total)
    guard writePosition - readPosition >= total else {
      throw fail(.corruptPayload, "record \(recordsRead): payload ends inside the record")
    }
    let body = (readPosition + prefixLength)..<(readPosition + total)
    readPosition += total
    recordsRead += 1
    return body
  }

  /// After the last record: decodes to the frame's end, which must bring no further bytes.
  private func finishPayload() throws(ShardError) {
    while true {
      guard writePosition == readPosition else {
        throw fail(.countMismatch, "header says \(count) records, payload holds more")
      }
      if frameEnded { return }
      readPosition = 0
      writePosition = 0
      try decompressMore()
    }
  }

  /// Decodes until `needed` bytes are unread or the frame ends, growing the window only while it
  /// is full of one unfinished record (so memory follows the bytes actually decoded).
  private func fill(atLeast needed: Int) throws(ShardError) {
    while writePosition - readPosition < needed && !frameEnded {
      if writePosition == window.count {
        if readPosition > 0 {
          let unread = writePosition - readPosition
          window.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress!
            base.copyMemory(from: base + readPosition, byteCount: unread)
          }
          readPosition = 0
          writePosition = unread
        } else {
          window.append(contentsOf: [UInt8](repeating: 0, count: window.count))
          peakWindowCapacity = max(peakWindowCapacity, window.count)
        }
      }
      try decompressMore()
    }
  }

  private func decompressMore() throws(ShardError) {
    let step = blob.withUnsafeBytes { input in
      window.withUnsafeMutableBytes { output in
        decompressor.step(
          input: UnsafeRawBufferPointer(rebasing: input[inputPosition..<payload.upperBound]),
          output: UnsafeMutableRawBufferPointer(rebasing: output[writePosition...]))
      }
    }
    switch step {
    case .failure(let message):
      throw fail(.corruptPayload, "zstd: \(message)")
    case .progress(let consumed, let produced, let ended):
      inputPosition += consumed
      writePosition += produced
      contentProduced += UInt64(produced)
      guard contentProduced <= contentLength else {
        throw fail(.corruptPayload, "payload inflates past the content length \(contentLength)")
      }
      if ended {
        frameEnded = true
        guard contentProduced == contentLength else {
          throw fail(
            .corruptPayload, "payload inflates to \(contentProduced) bytes, header says \(contentLength)")
        }
      } else if consumed == 0 && produced == 0 {
        throw fail(.corruptPayload, "zstd frame ends early")
      }
    }
  }
}
