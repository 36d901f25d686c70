/// A record type that shards carry. Each conforming type owns one `RecordKind`; its byte layout
/// is part of the format and is written down in docs/shard-format.md.
public protocol ShardRecord {
  static var kind: RecordKind { get }
  /// Appends the record's bytes (without the length prefix, which the container adds).
  func encode(into writer: inout ByteWriter)
  /// Reads one record from exactly its bytes; the shard reader rejects leftovers.
  static func decode(from reader: inout ByteReader) throws(ShardError) -> Self
}
