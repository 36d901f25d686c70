/// Source rows taken four at a time and transposed to floats, so that lane i of every SIMD4
/// belongs to row `firstRow + 4q + i` (rows past `lastRow` read as zeros).
struct RowQuads {
  let source: UnsafeBufferPointer<UInt8>
  let rowBytes: Int
  let firstRow: Int
  let lastRow: Int

  init(source: UnsafeBufferPointer<UInt8>, rowBytes: Int, plan: BicubicPlan) {
    self.source = source
    self.rowBytes = rowBytes
    firstRow = plan.firstRow
    lastRow = plan.lastRow
  }

  /// SIMD4 elements `convert` writes per quad: the row bytes rounded up to 16.
  static func capacity(rowBytes: Int) -> Int { (rowBytes + 15) & ~15 }

  func sourceRow(quad: Int, lane: Int) -> UnsafePointer<UInt8>? {
    let row = firstRow + 4 * quad + lane
    return row < lastRow ? source.baseAddress! + row * rowBytes : nil
  }

  /// Writes `capacity(rowBytes:)` elements: element i holds byte i of the quad's four rows.
  func convert(quad: Int, into out: UnsafeMutablePointer<SIMD4<Float>>) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { zeros in
      zeros.initialize(repeating: 0)
      let zero = UnsafePointer(zeros.baseAddress!)
      // Rows past the end read the zero block over and over (step 0).
      func row(_ lane: Int) -> (UnsafePointer<UInt8>, Int) {
        sourceRow(quad: quad, lane: lane).map { ($0, 1) } ?? (zero, 0)
      }
      let (r0, s0) = row(0)
      let (r1, s1) = row(1)
      let (r2, s2) = row(2)
      let (r3, s3) = row(3)
      var i = 0
      while i + 16 <= rowBytes {
        Self.transpose16(
          Self.load(r0 + i * s0), Self.load(r1 + i * s1), Self.load(r2 + i * s2), Self.load(r3 + i * s3),
          into: out + i)
        i += 16
      }
      if i < rowBytes {
        // The last partial block, copied with zero padding so nothing past a row is read.
        func tail(_ row: UnsafePointer<UInt8>, _ step: Int) -> SIMD16<UInt8> {
          var block = SIMD16<UInt8>.zero
          for j in 0..<(rowBytes - i) * step { block[j] = row[i + j] }
          return block
        }
        Self.transpose16(tail(r0, s0), tail(r1, s1), tail(r2, s2), tail(r3, s3), into: out + i)
      }
    }
  }

  @inline(__always)
  private static func load(_ pointer: UnsafePointer<UInt8>) -> SIMD16<UInt8> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<UInt8>.self)
  }

  /// Bytes j of a, b, c, d become the four lanes of element j (SSE2 unpacks, then int to float).
  @inline(__always)
  private static func transpose16(
    _ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>, _ c: SIMD16<UInt8>, _ d: SIMD16<UInt8>,
    into out: UnsafeMutablePointer<SIMD4<Float>>
  ) {
    let abLow = unsafeBitCast(zipLow(a, b), to: SIMD8<UInt16>.self)
    let abHigh = unsafeBitCast(zipHigh(a, b), to: SIMD8<UInt16>.self)
    let cdLow = unsafeBitCast(zipLow(c, d), to: SIMD8<UInt16>.self)
    let cdHigh = unsafeBitCast(zipHigh(c, d), to: SIMD8<UInt16>.self)
    toFloats(unsafeBitCast(zipLow(abLow, cdLow), to: SIMD16<UInt8>.self), into: out)
    toFloats(unsafeBitCast(zipHigh(abLow, cdLow), to: SIMD16<UInt8>.self), into: out + 4)
    toFloats(unsafeBitCast(zipLow(abHigh, cdHigh), to: SIMD16<UInt8>.self), into: out + 8)
    toFloats(unsafeBitCast(zipHigh(abHigh, cdHigh), to: SIMD16<UInt8>.self), into: out + 12)
  }

  /// 16 bytes to 4 SIMD4<Float>, zero-extending by unpacking with zeros.
  @inline(__always)
  private static func toFloats(_ v: SIMD16<UInt8>, into out: UnsafeMutablePointer<SIMD4<Float>>) {
    let low = unsafeBitCast(zipLow(v, .zero), to: SIMD8<UInt16>.self)
    let high = unsafeBitCast(zipHigh(v, .zero), to: SIMD8<UInt16>.self)
    out[0] = SIMD4<Float>(unsafeBitCast(zipLow(low, .zero), to: SIMD4<Int32>.self))
    out[1] = SIMD4<Float>(unsafeBitCast(zipHigh(low, .zero), to: SIMD4<Int32>.self))
    out[2] = SIMD4<Float>(unsafeBitCast(zipLow(high, .zero), to: SIMD4<Int32>.self))
    out[3] = SIMD4<Float>(unsafeBitCast(zipHigh(high, .zero), to: SIMD4<Int32>.self))
  }

  // Interleaving halves of two vectors: LLVM lowers these to single punpck instructions.
  @inline(__always)
  private static func zipLow(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
    SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
  }

  @inline(__always)
  private static func zipHigh(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
    SIMD16(
      a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14], b[14],
      a[15], b[15])
  }

  @inline(__always)
  private static func zipLow(_ a: SIMD8<UInt16>, _ b: SIMD8<UInt16>) -> SIMD8<UInt16> {
    SIMD8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
  }

  @inline(__always)
  private static func zipHigh(_ a: SIMD8<UInt16>, _ b: SIMD8<UInt16>) -> SIMD8<UInt16> {
    SIMD8(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
  }
}
