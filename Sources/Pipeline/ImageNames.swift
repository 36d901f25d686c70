/// The image names seen so far, numbered in first-seen order.
struct ImageNames {
  var names: [String] = []
  var ids: [String: Int32] = [:]

  mutating func id(_ name: String) -> Int32 {
    if let known = ids[name] { return known }
    let id = Int32(names.count)
    ids[name] = id
    names.append(name)
    return id
  }
}
