/// The machine's DGEMM rate on the calling thread, measured: the yardstick a kernel's GFLOP/s
/// is reported against in the same run (e.g. a matrix-free fit's JᵀJ·v).
public enum GEMMRate {
    /// GFLOP/s of C = A·B for n × n matrices (2n³ flops each), the median of `repeats` timed
    /// products after one untimed warm-up. OpenBLAS runs on one thread here (``ThreadSettings``).
    public static func measure(size n: Int = 1024, repeats: Int = 5) -> Double {
        precondition(n > 0 && repeats > 0, "size and repeats must be positive")
        var generator = UInt64(0x9E37_79B9_7F4A_7C15)
        func next() -> Double {
            generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(generator >> 11) / Double(1 << 53) - 0.5
        }
        let a = Matrix(rows: n, columns: n, elements: (0..<(n * n)).map { _ in next() })
        let b = Matrix(rows: n, columns: n, elements: (0..<(n * n)).map { _ in next() })
        var c = Matrix(rows: n, columns: n)
        multiply(a, b, into: &c)
        let clock = ContinuousClock()
        var seconds: [Double] = []
        for _ in 0..<repeats {
            let begin = clock.now
            multiply(a, b, into: &c)
            let parts = (clock.now - begin).components
            seconds.append(Double(parts.seconds) + Double(parts.attoseconds) * 1e-18)
        }
        let median = seconds.sorted()[repeats / 2]
        return 2 * Double(n) * Double(n) * Double(n) / median / 1e9
    }
}
