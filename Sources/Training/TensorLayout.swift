public import Model

/// Named tensors at fixed offsets of one flat float array: parameters, gradients and the two
/// AdamW moments all share one layout, so the optimiser and clipping are single loops.
public struct TensorLayout: Sendable, Equatable {
  public struct Slot: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
  }

  public let slots: [Slot]
  public let count: Int
  private let index: [String: Int]

  /// Slots in the given order, packed without gaps.
  public init(_ shapes: [(name: String, shape: [Int])]) {
    var slots: [Slot] = []
    var offset = 0
    for (name, shape) in shapes {
      slots.append(Slot(name: name, shape: shape, offset: offset))
      offset += shape.reduce(1, *)
    }
    self.slots = slots
    count = offset
    index = Dictionary(uniqueKeysWithValues: slots.enumerated().map { ($1.name, $0) })
  }

  public func slot(_ name: String) -> Slot? { index[name].map { slots[$0] } }

  /// Offset of a tensor that the layout must hold (a missing name is a programming error).
  func offset(_ name: String) -> Int {
    guard let slot = slot(name) else { preconditionFailure("no tensor \(name) in the layout") }
    return slot.offset
  }

  public static func == (a: TensorLayout, b: TensorLayout) -> Bool { a.slots == b.slots }
}

/// One owned float allocation in a `TensorLayout` (zeroed on creation).
public final class TensorBuffer: @unchecked Sendable {
  public let layout: TensorLayout
  public let base: UnsafeMutablePointer<Float>

  public init(_ layout: TensorLayout) {
    self.layout = layout
    base = .allocate(capacity: max(layout.count, 1))
    base.initialize(repeating: 0, count: max(layout.count, 1))
  }

  deinit { base.deallocate() }

  public var count: Int { layout.count }

  public func zero() { base.update(repeating: 0, count: layout.count) }

  public func copy(from other: TensorBuffer) {
    precondition(other.layout == layout, "copying between different layouts")
    base.update(from: other.base, count: layout.count)
  }

  /// The values of tensor `name`.
  public func values(_ name: String) -> [Float] {
    guard let slot = layout.slot(name) else { return [] }
    return Array(UnsafeBufferPointer(start: base + slot.offset, count: slot.count))
  }

  public func set(_ name: String, _ values: [Float]) {
    guard let slot = layout.slot(name) else { preconditionFailure("no tensor \(name)") }
    precondition(values.count == slot.count, "\(name): \(values.count) values for \(slot.shape)")
    (base + slot.offset).update(from: values, count: slot.count)
  }

  /// The tensors whose names pass `include`, as a store (for safetensors I/O).
  public func store(prefix: String = "", where include: (String) -> Bool = { _ in true })
    -> NativeTensorStore
  {
    var store = NativeTensorStore()
    for slot in layout.slots where include(slot.name) {
      store[prefix + slot.name] = NativeTensor(shape: slot.shape, values: values(slot.name))
    }
    return store
  }

  /// Sum of squares of every value (Double accumulation).
  public func squaredNorm(where include: (TensorLayout.Slot) -> Bool = { _ in true }) -> Double {
    var total = 0.0
    for slot in layout.slots where include(slot) {
      let p = base + slot.offset
      for i in 0..<slot.count { total += Double(p[i]) * Double(p[i]) }
    }
    return total
  }

  public var allFinite: Bool {
    for i in 0..<layout.count where !base[i].isFinite { return false }
    return true
  }
}
