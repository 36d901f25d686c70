import Foundation

/// The parts of a COCO `instances.json` that the refer layout needs; other keys are ignored.
struct COCOInstances: Decodable {
  var images: [ReferImage]
  var annotations: [COCOAnnotation]
  var categories: [Category]

  struct Category: Decodable {
    var id: Int
    var name: String
  }

  /// Decodes the file at `path`, naming the file and the field (`annotations[3].bbox`) on failure.
  static func load(path: String) throws(ReferError) -> COCOInstances {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ReferError(.missingFile, file: path, "cannot read the COCO instances file: \(error)")
    }
    do {
      return try JSONDecoder().decode(COCOInstances.self, from: data)
    } catch let error as ReferError {
      var located = error
      located.file = path
      throw located
    } catch let error as DecodingError {
      throw ReferError(decoding: error, file: path)
    } catch {
      throw ReferError(.badFile, file: path, "\(error)")
    }
  }
}

extension ReferImage: Decodable {
  enum CodingKeys: String, CodingKey {
    case id, width, height
    case fileName = "file_name"
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try container.decode(Int.self, forKey: .id),
      fileName: try container.decode(String.self, forKey: .fileName),
      width: try container.decode(Int.self, forKey: .width),
      height: try container.decode(Int.self, forKey: .height))
    guard width > 0, height > 0 else {
      throw ReferError(
        .badField, field: fieldPath(container.codingPath), "image size \(width) x \(height) is not positive")
    }
  }
}

extension COCOAnnotation: Decodable {
  enum CodingKeys: String, CodingKey {
    case id, segmentation, bbox, area
    case imageID = "image_id"
    case categoryID = "category_id"
    case isCrowd = "iscrowd"
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    id = try container.decode(Int.self, forKey: .id)
    imageID = try container.decode(Int.self, forKey: .imageID)
    categoryID = try container.decode(Int.self, forKey: .categoryID)
    segmentation = try container.decode(COCOSegmentation.self, forKey: .segmentation)
    bbox = try container.decode([Double].self, forKey: .bbox)
    guard bbox.count == 4 else {
      throw ReferError(
        .badField, field: fieldPath(container.codingPath + [CodingKeys.bbox]),
        "bbox has \(bbox.count) values, expected [x, y, width, height]")
    }
    area = try container.decode(Double.self, forKey: .area)
    isCrowd = try container.decode(Int.self, forKey: .isCrowd) != 0
  }
}

extension COCOSegmentation: Decodable {
  enum RLEKeys: String, CodingKey { case counts, size }

  /// A list of polygons, or an RLE object with `size: [height, width]` and `counts` either a list
  /// of run lengths or a compressed string.
  public init(from decoder: any Decoder) throws {
    if (try? decoder.unkeyedContainer()) != nil {
      self = .polygons(try decoder.singleValueContainer().decode([[Double]].self))
      return
    }
    let container = try decoder.container(keyedBy: RLEKeys.self)
    let size = try container.decode([Int].self, forKey: .size)
    guard size.count == 2 else {
      throw ReferError(
        .badField, field: fieldPath(container.codingPath + [RLEKeys.size]),
        "RLE size has \(size.count) values, expected [height, width]")
    }
    do {
      if let compressed = try? container.decode(String.self, forKey: .counts) {
        self = .rle(try RLE(compressed: compressed, height: size[0], width: size[1]))
      } else {
        let counts = try container.decode([UInt32].self, forKey: .counts)
        self = .rle(try RLE(height: size[0], width: size[1], counts: counts))
      }
    } catch var error as ReferError {
      error.field = fieldPath(container.codingPath + [RLEKeys.counts])
      throw error
    }
  }
}

extension ReferError {
  /// A Codable failure as an error naming the field, e.g. `annotations[3].segmentation`.
  init(decoding error: DecodingError, file: String) {
    switch error {
    case .keyNotFound(let key, let context):
      self.init(
        .missingField, file: file, field: fieldPath(context.codingPath + [key]), "required field is missing")
    case .valueNotFound(let type, let context):
      self.init(.badField, file: file, field: fieldPath(context.codingPath), "null where \(type) is required")
    case .typeMismatch(let type, let context):
      self.init(.badField, file: file, field: fieldPath(context.codingPath), "expected \(type)")
    case .dataCorrupted(let context):
      if context.codingPath.isEmpty {
        self.init(.badFile, file: file, "not valid JSON: \(context.debugDescription)")
      } else {
        self.init(.badField, file: file, field: fieldPath(context.codingPath), context.debugDescription)
      }
    @unknown default:
      self.init(.badFile, file: file, "\(error)")
    }
  }
}

/// `annotations[3].segmentation` from a coding path.
func fieldPath(_ codingPath: [any CodingKey]) -> String {
  var path = ""
  for key in codingPath {
    if let index = key.intValue {
      path += "[\(index)]"
    } else {
      path += (path.isEmpty ? "" : ".") + key.stringValue
    }
  }
  return path
}
