// libFuzzer target: the plain-data pickle reader (Sources/Refer/Pickle*), compiled together with
// the Refer module's sources. Every input must give a value or a PickleError; a crash, a trap, a
// sanitizer report or memory beyond the fuzzer's limit is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickleReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  do {
    let value = try PickleReader().read(bytes, file: "fuzz")
    _ = "\(value)".count
  } catch {
    _ = error.description
  }
  return 0
}
