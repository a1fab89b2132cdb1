/// The x of one sample of a ``CurveModel``: one number (`Double`) or several inputs
/// (`[Double]`, the same count for every sample).
///
/// Only `Double` and `[Double]` conform; the requirements are what data validation reads.
public protocol CurveInput {
    /// The number of coordinates: 1 for a `Double`, the count for a `[Double]`.
    var curveCoordinateCount: Int { get }
    /// Whether every coordinate is finite.
    var curveIsFinite: Bool { get }
}

/// The y of one sample of a ``CurveModel``: one output (`Double`) or several outputs
/// (`[Double]`, the same count p for every sample). Observations and σ have this type.
///
/// Only `Double` and `[Double]` conform.
public protocol CurveOutput {
    /// The number of outputs: 1 for a `Double`, the count for a `[Double]`.
    var curveValueCount: Int { get }
    /// Output `index` (`0..<curveValueCount`).
    func curveValue(at index: Int) -> Double
}

extension Double: CurveInput, CurveOutput {
    /// 1.
    public var curveCoordinateCount: Int { 1 }
    /// `isFinite`.
    public var curveIsFinite: Bool { isFinite }
    /// 1.
    public var curveValueCount: Int { 1 }
    /// The value itself.
    public func curveValue(at index: Int) -> Double { self }
}

extension Array: CurveInput, CurveOutput where Element == Double {
    /// `count`.
    public var curveCoordinateCount: Int { count }
    /// Whether every element is finite.
    public var curveIsFinite: Bool { allSatisfy { $0.isFinite } }
    /// `count`.
    public var curveValueCount: Int { count }
    /// `self[index]`.
    public func curveValue(at index: Int) -> Double { self[index] }
}
