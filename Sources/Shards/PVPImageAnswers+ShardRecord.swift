/// Layout (kind PVPO): image string, image ID zigzag, answer count varint, then per answer the
/// index delta varint (as in PVPI), row varint, col varint, and r, g, b as one byte each.
extension PVPImageAnswers: ShardRecord {
  public static var kind: RecordKind { .pvpOutput }

  public func encode(into writer: inout ByteWriter) {
    writer.writeString(image)
    writer.writeZigZag(imageID)
    writer.writeVarint(UInt64(answers.count))
    var previous: UInt64 = 0
    for answer in answers {
      writer.writeVarint(answer.index &- previous)
      writer.writeVarint(UInt64(answer.row))
      writer.writeVarint(UInt64(answer.col))
      writer.writeUInt8(answer.r)
      writer.writeUInt8(answer.g)
      writer.writeUInt8(answer.b)
      previous = answer.index
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> PVPImageAnswers {
    let image = try reader.readString()
    let imageID = try reader.readZigZag()
    let count = try reader.readCount(minimumElementSize: 6)
    var answers = [PVPAnswer]()
    answers.reserveCapacity(count)
    var index: UInt64 = 0
    for _ in 0..<count {
      index &+= try reader.readVarint()
      let row = try reader.readVarint(as: UInt16.self)
      let col = try reader.readVarint(as: UInt16.self)
      let r = try reader.readUInt8()
      let g = try reader.readUInt8()
      let b = try reader.readUInt8()
      answers.append(PVPAnswer(index: index, row: row, col: col, r: r, g: g, b: b))
    }
    return PVPImageAnswers(image: image, imageID: imageID, answers: answers)
  }
}
