extension String {
  /// A string from Unicode scalars, encoded to UTF-8 in one buffer.
  ///
  /// `String(String.UnicodeScalarView(slice))` appends scalar by scalar through a generic path; it was
  /// a fifth of the parse time of the corpus benchmark (callgrind), hence this.
  init(scalars: some Collection<Unicode.Scalar>) {
    let capacity = scalars.count * 4
    self.init(unsafeUninitializedCapacity: capacity) { buffer in
      var count = 0
      for scalar in scalars {
        if scalar.value < 0x80 {
          buffer[count] = UInt8(truncatingIfNeeded: scalar.value)
          count += 1
        } else {
          for byte in UTF8.encode(scalar)! {
            buffer[count] = byte
            count += 1
          }
        }
      }
      return count
    }
  }
}
