extension Resampler {
  /// Pillow's two passes (horizontal first, over the rows the vertical pass needs; each pass
  /// rounds and clips to 8 bits) with the sums taken in single-precision SIMD, four rows at a
  /// time, and checked against `BicubicPlan`'s error bounds; see there why the results are
  /// Pillow's exactly.
  static func bicubicFast(_ image: RGBImage, plan: BicubicPlan) -> RGBImage {
    bicubicFast(image, plans: [plan])[0]
  }

  /// Several sizes of one image. Plans that pass horizontally over the same source rows share
  /// one conversion of those rows to floats (a third of a downscale's time), and their
  /// horizontal passes run over each converted block while it is in cache.
  static func bicubicFast(_ image: RGBImage, plans: [BicubicPlan]) -> [RGBImage] {
    for plan in plans {
      precondition(image.width == plan.sourceWidth && image.height == plan.sourceHeight)
    }
    // The intermediate images in row quads: element `(q * rowWidth + x) * 3 + c` holds channel
    // c of pixel x in rows firstRow + 4q + 0...3, as integers 0...255.
    let intermediates = plans.map { plan in
      let quadStride = (plan.needsHorizontal ? plan.width : plan.sourceWidth) * 3
      // Slack: `RowQuads.convert` writes whole blocks of 16, the vertical pass reads 4 at a
      // time. The horizontal pass works on pairs of quads: room for an odd one out.
      let intermediate = UnsafeMutableBufferPointer<SIMD4<Float>>.allocate(
        capacity: (plan.quads + 1) * quadStride + 16)
      // Every element the passes read is written first, except perhaps the last quad and slack.
      (intermediate.baseAddress! + plan.quads * quadStride).initialize(
        repeating: .zero, count: quadStride + 16)
      return intermediate
    }
    defer { for intermediate in intermediates { intermediate.deallocate() } }

    image.pixels.withUnsafeBufferPointer { source in
      // Group the horizontal passes by the rows they read.
      var groups: [[Int]] = []
      for (n, plan) in plans.enumerated() {
        if !plan.needsHorizontal {
          let rows = RowQuads(source: source, rowBytes: plan.sourceWidth * 3, plan: plan)
          let quadStride = plan.sourceWidth * 3
          for q in 0..<plan.quads {
            rows.convert(quad: q, into: intermediates[n].baseAddress! + q * quadStride)
          }
        } else if let g = groups.firstIndex(where: {
          let other = plans[$0[0]]
          return (other.firstRow, other.lastRow, other.quads) == (plan.firstRow, plan.lastRow, plan.quads)
        }) {
          groups[g].append(n)
        } else {
          groups.append([n])
        }
      }
      for group in groups {
        let rows = RowQuads(source: source, rowBytes: image.width * 3, plan: plans[group[0]])
        horizontalPass(
          rows, plans: group.map { plans[$0] }, into: group.map { intermediates[$0].baseAddress! })
      }
    }
    return zip(plans, intermediates).map { plan, intermediate in
      let quadStride = (plan.needsHorizontal ? plan.width : plan.sourceWidth) * 3
      let count = plan.width * plan.height * 3
      let pixels = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
        if plan.needsVertical {
          verticalPass(UnsafePointer(intermediate.baseAddress!), plan: plan, into: out.baseAddress!)
        } else {
          // Pillow's row range then covers the whole image (firstRow is 0).
          for y in 0..<plan.height {
            for v in 0..<quadStride {
              out[y * quadStride + v] = UInt8(intermediate[(y / 4) * quadStride + v][y % 4])
            }
          }
        }
        initialized = count
      }
      return RGBImage(width: plan.width, height: plan.height, pixels: pixels)
    }
  }

  /// Pillow's `clip8((2^21 + sum) >> 22)`, i.e. `sum / 2^22` rounded half up and clipped, of
  /// approximate sums. `u = sum * 2^-22` (exact) is rounded to the nearest integer `r` by the
  /// 1.5 * 2^23 trick (exact for |u| < 2^22); where `u - r` is within `tolerance` of +-0.5 the
  /// approximation cannot tell which way Pillow rounds (and a tie would round to even), so those
  /// lanes are reported as uncertain. Returns `r` clipped to 0...255 and the uncertain lanes.
  @inline(__always)
  private static func quantize(
    _ sums: SIMD4<Float>, tolerance: Float
  ) -> (values: SIMD4<Float>, uncertain: SIMDMask<SIMD4<Int32>>) {
    let magic = SIMD4<Float>(repeating: 0x1.8p23)
    let u = sums * 0x1p-22
    let nearest = (u + magic) - magic
    let offset = u - nearest
    let edge = 0.5 - tolerance
    let uncertain = (offset .> edge) .| (offset .< -edge)
    let values = nearest.replacing(with: 0, where: nearest .< 0).replacing(with: 255, where: nearest .> 255)
    return (values, uncertain)
  }

  /// The horizontal passes of plans that read the same rows (same `firstRow`, `lastRow`,
  /// `quads`): each pair of row quads is converted once and used by every plan.
  private static func horizontalPass(
    _ rows: RowQuads, plans: [BicubicPlan], into intermediates: [UnsafeMutablePointer<SIMD4<Float>>]
  ) {
    // Two row quads (8 rows) as floats.
    let quadCapacity = RowQuads.capacity(rowBytes: rows.rowBytes)
    let quads = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: 2 * quadCapacity)
    defer { quads.deallocate() }
    quads.initialize(repeating: .zero, count: 2 * quadCapacity)
    var q = 0
    while q < plans[0].quads {
      rows.convert(quad: q, into: quads)
      rows.convert(quad: q + 1, into: quads + quadCapacity)
      for (plan, intermediate) in zip(plans, intermediates) {
        horizontalQuadPair(
          UnsafePointer(quads), quadCapacity: quadCapacity, rows: rows, q: q, plan: plan,
          into: intermediate + q * plan.width * 3)
      }
      q += 2
    }
  }

  /// One plan's horizontal pass over row quads `q` and `q + 1`, already converted to floats.
  @inline(__always)
  private static func horizontalQuadPair(
    _ quads: UnsafePointer<SIMD4<Float>>, quadCapacity: Int, rows: RowQuads, q: Int,
    plan: BicubicPlan, into out: UnsafeMutablePointer<SIMD4<Float>>
  ) {
    let kernelSize = plan.horizontal.kernelSize
    plan.horizontalWeights.withUnsafeBufferPointer { floatWeights in
      plan.horizontalTolerance.withUnsafeBufferPointer { tolerance in
        plan.horizontal.weights.withUnsafeBufferPointer { weights in
          plan.horizontal.first.withUnsafeBufferPointer { first in
            plan.horizontal.count.withUnsafeBufferPointer { count in
              for x in 0..<plan.width {
                var p = quads + first[x] * 3
                var k = floatWeights.baseAddress! + x * plan.horizontalStride
                // One weight feeds six independent sums: R, G, B of both quads.
                var r0 = SIMD4<Float>.zero
                var g0 = SIMD4<Float>.zero
                var b0 = SIMD4<Float>.zero
                var r1 = SIMD4<Float>.zero
                var g1 = SIMD4<Float>.zero
                var b1 = SIMD4<Float>.zero
                for _ in 0..<count[x] {
                  let w = k[0]
                  r0 += p[0] * w
                  g0 += p[1] * w
                  b0 += p[2] * w
                  r1 += p[quadCapacity] * w
                  g1 += p[quadCapacity + 1] * w
                  b1 += p[quadCapacity + 2] * w
                  p += 3
                  k += 1
                }
                // Quantize, recompute in integers the lanes too close to call, store.
                func store(_ sums: SIMD4<Float>, quad: Int, channel c: Int) {
                  var (values, uncertain) = quantize(sums, tolerance: tolerance[x])
                  if any(uncertain) {
                    let k = weights.baseAddress! + x * kernelSize
                    for lane in 0..<4 where uncertain[lane] {
                      guard let row = rows.sourceRow(quad: q + quad, lane: lane) else { continue }
                      let pixel = row + first[x] * 3 + c
                      var sum = BicubicAxis.bias
                      for j in 0..<count[x] {
                        sum &+= Int32(pixel[j * 3]) &* k[j]
                      }
                      values[lane] = Float(BicubicAxis.clip8(sum))
                    }
                  }
                  out[quad * plan.width * 3 + x * 3 + c] = values
                }
                store(r0, quad: 0, channel: 0)
                store(g0, quad: 0, channel: 1)
                store(b0, quad: 0, channel: 2)
                store(r1, quad: 1, channel: 0)
                store(g1, quad: 1, channel: 1)
                store(b1, quad: 1, channel: 2)
              }
            }
          }
        }
      }
    }
  }

  private static func verticalPass(
    _ intermediate: UnsafePointer<SIMD4<Float>>, plan: BicubicPlan,
    into out: UnsafeMutablePointer<UInt8>
  ) {
    let values = plan.width * 3  // per row, also the quad stride of `intermediate`
    let kernelSize = plan.vertical.kernelSize
    plan.verticalWeights.withUnsafeBufferPointer { floatWeights in
      plan.vertical.weights.withUnsafeBufferPointer { weights in
        plan.verticalTolerance.withUnsafeBufferPointer { tolerance in
          for y in 0..<plan.height {
            let top = intermediate + plan.verticalQuadStart[y] * values
            let quads = plan.verticalQuadCount[y]
            let k = floatWeights.baseAddress! + y * plan.verticalStride
            let outRow = out + y * values
            var v = 0
            while v < values {
              // Four values at once; each accumulator sums its value's rows in 4 lanes.
              var a0 = SIMD4<Float>.zero
              var a1 = SIMD4<Float>.zero
              var a2 = SIMD4<Float>.zero
              var a3 = SIMD4<Float>.zero
              var p = top + v
              for q in 0..<quads {
                let w = k[q]
                a0 += p[0] * w
                a1 += p[1] * w
                a2 += p[2] * w
                a3 += p[3] * w
                p += values
              }
              var (result, uncertain) = quantize(laneSums(a0, a1, a2, a3), tolerance: tolerance[y])
              if any(uncertain) {
                let firstRow = plan.vertical.first[y] - plan.firstRow
                let exact = weights.baseAddress! + y * kernelSize
                for i in 0..<4 where uncertain[i] && v + i < values {
                  var sum = BicubicAxis.bias
                  for j in 0..<plan.vertical.count[y] {
                    let row = firstRow + j
                    let value = intermediate[(row / 4) * values + v + i][row % 4]
                    sum &+= Int32(value) &* exact[j]
                  }
                  result[i] = Float(BicubicAxis.clip8(sum))
                }
              }
              // Adding 2^23 puts the integer in the low mantissa bits.
              let bits = unsafeBitCast(result + 0x1p23, to: SIMD4<UInt32>.self)
              for i in 0..<min(4, values - v) {
                outRow[v + i] = UInt8(truncatingIfNeeded: bits[i])
              }
              v += 4
            }
          }
        }
      }
    }
  }

  /// `(sum of a's lanes, sum of b's, sum of c's, sum of d's)`, by a 4x4 transpose.
  @inline(__always)
  private static func laneSums(
    _ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, _ d: SIMD4<Float>
  ) -> SIMD4<Float> {
    let ab = SIMD4(a[0], b[0], a[1], b[1]) + SIMD4(a[2], b[2], a[3], b[3])
    let cd = SIMD4(c[0], d[0], c[1], d[1]) + SIMD4(c[2], d[2], c[3], d[3])
    return SIMD4(ab[0], ab[1], cd[0], cd[1]) + SIMD4(ab[2], ab[3], cd[2], cd[3])
  }
}
