// Signatures the rest of the project codes against (implementation: the Shards agent).
//
//   var w = try ShardWriter(kind: .pvpInput, metadata: #"{"job":3}"#)
//   try w.append(record)                  // any ShardRecord of that kind; compressed as it goes
//   let blob: ShardBlob = try w.finish()  // header + zstd payload + digest
//
//   let r = try ShardReader(bytes: blob.bytes, expectedDigest: blob.digest, expectedKind: .pvpInput,
//                           name: "job 3 shard 0 (input)")
//   r.metadata; r.count
//   while let rec: PVPImageQuestions = try r.next() { ... }   // streaming, record by record
//
// ShardRecord: `static var kind: RecordKind`, `func encode(into: inout ByteWriter)`,
// `static func decode(from: inout ByteReader) throws -> Self`.
