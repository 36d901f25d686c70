import Foundation

/// Reads and writes the safetensors format: an 8-byte little-endian header length `N`, `N` bytes
/// of JSON (`{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "string value"}}`, space-padded to a multiple of 8), then the tensor
/// data, offsets counted from the end of the header. Only F32 tensors, little-endian hosts.
public enum NativeSafetensors {
  public struct File: Sendable, Equatable {
    public var tensors: NativeTensorStore
    public var metadata: [String: String]

    public init(tensors: NativeTensorStore, metadata: [String: String]) {
      self.tensors = tensors
      self.metadata = metadata
    }
  }

  struct TensorInfo: Codable {
    var dtype: String
    var shape: [Int]
    var data_offsets: [Int]
  }

  /// Accepts any top-level key; `__metadata__` is read apart from the tensors.
  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  static let metadataKey = "__metadata__"

  /// The bytes of a safetensors file holding `file`, tensors in name order.
  static func encode(_ file: File) -> Data {
    var header = "{\"\(metadataKey)\":{"
    header += file.metadata.keys.sorted().map { "\(jsonLiteral($0)):\(jsonLiteral(file.metadata[$0]!))" }
      .joined(separator: ",")
    header += "}"
    var offset = 0
    for name in file.tensors.names {
      let tensor = file.tensors[name]!
      let end = offset + tensor.count * MemoryLayout<Float>.size
      header += ",\(jsonLiteral(name)):{\"dtype\":\"F32\",\"shape\":\(tensor.shape),"
      header += "\"data_offsets\":[\(offset),\(end)]}"
      offset = end
    }
    header += "}"
    while header.utf8.count % 8 != 0 { header += " " }
    var data = Data(capacity: 8 + header.utf8.count + offset)
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header.utf8)
    for name in file.tensors.names {
      file.tensors[name]!.values.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    return data
  }

  public static func write(_ file: File, to path: String) throws(NativeModelError) {
    do {
      try encode(file).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw NativeModelError(code: .io, file: path, detail: "cannot write: \(error)")
    }
  }

  public static func read(path: String) throws(NativeModelError) -> File {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw NativeModelError(code: .io, file: path, detail: "cannot read: \(error)")
    }
    return try decode(data, file: path)
  }

  /// Parses safetensors bytes; `file` names the source in errors.
  static func decode(_ data: Data, file: String? = nil) throws(NativeModelError) -> File {
    func fail(_ code: NativeModelError.Code, _ detail: String, tensor: String? = nil) -> NativeModelError {
      NativeModelError(code: code, file: file, tensor: tensor, detail: detail)
    }
    guard data.count >= 8 else { throw fail(.truncated, "\(data.count) bytes, no header length") }
    let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) {
      $0 | UInt64($1.element) << (8 * $1.offset)
    }
    guard headerLength <= UInt64(data.count - 8) else {
      throw fail(.truncated, "header of \(headerLength) bytes, but only \(data.count - 8) follow")
    }
    let headerStart = data.startIndex + 8
    let dataStart = headerStart + Int(headerLength)
    let header = data[headerStart..<dataStart]
    let entries: [String: TensorInfo]
    let metadata: [String: String]
    do {
      (entries, metadata) = try parseHeader(header)
    } catch {
      throw fail(.badHeader, "header is not valid safetensors JSON: \(error)")
    }
    let available = data.count - 8 - Int(headerLength)
    var ranges: [(range: Range<Int>, name: String)] = []
    var store = NativeTensorStore()
    for name in entries.keys.sorted() {
      let info = entries[name]!
      guard info.dtype == "F32" else {
        throw fail(.unsupportedDtype, "dtype \(info.dtype), only F32 is supported", tensor: name)
      }
      guard info.shape.allSatisfy({ $0 >= 0 }), info.data_offsets.count == 2 else {
        throw fail(.badOffsets, "bad shape \(info.shape) or data_offsets \(info.data_offsets)", tensor: name)
      }
      let (begin, end) = (info.data_offsets[0], info.data_offsets[1])
      // Element and byte counts from untrusted shapes, with overflow treated as a mismatch.
      var bytes: Int? = MemoryLayout<Float>.size
      for dimension in info.shape {
        guard let soFar = bytes else { break }
        let (product, overflow) = soFar.multipliedReportingOverflow(by: dimension)
        bytes = overflow ? nil : product
      }
      guard let bytes, begin >= 0, end >= begin, end - begin == bytes else {
        throw fail(
          .badOffsets, "data_offsets [\(begin), \(end)] do not hold shape \(info.shape) of F32",
          tensor: name)
      }
      let elements = bytes / MemoryLayout<Float>.size
      guard end <= available else {
        throw fail(.truncated, "data ends at \(end), the file holds \(available) data bytes", tensor: name)
      }
      ranges.append((begin..<end, name))
      var values = [Float](repeating: 0, count: elements)
      values.withUnsafeMutableBytes { target in
        _ = data.copyBytes(to: target, from: (dataStart + begin)..<(dataStart + end))
      }
      store[name] = NativeTensor(shape: info.shape, values: values)
    }
    ranges.sort { $0.range.lowerBound < $1.range.lowerBound }
    for (previous, next) in zip(ranges, ranges.dropFirst()) where previous.range.overlaps(next.range) {
      throw fail(.badOffsets, "data overlaps tensor \(previous.name)", tensor: next.name)
    }
    return File(tensors: store, metadata: metadata)
  }

  static func parseHeader(_ header: Data) throws -> ([String: TensorInfo], [String: String]) {
    struct Header: Decodable {
      var entries: [String: TensorInfo] = [:]
      var metadata: [String: String] = [:]
      init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
          if key.stringValue == NativeSafetensors.metadataKey {
            metadata = try container.decode([String: String].self, forKey: key)
          } else {
            entries[key.stringValue] = try container.decode(TensorInfo.self, forKey: key)
          }
        }
      }
    }
    let parsed = try JSONDecoder().decode(Header.self, from: header)
    return (parsed.entries, parsed.metadata)
  }
}
