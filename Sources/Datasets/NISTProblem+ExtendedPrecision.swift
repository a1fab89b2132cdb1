import FormulaModels

#if arch(x86_64) || arch(i386)
/// The extended precision of the statistics behind NIST scores: x87's 64-bit significand.
public typealias NISTExtendedReal = Float80
#else
/// No wider hardware type here: the statistics are evaluated in Double.
public typealias NISTExtendedReal = Double
#endif

extension NISTProblem {
    /// Σ r_s² with r_s = f(x_s; b) − g(y_s) evaluated in ``NISTExtendedReal`` (Float80 on x86):
    /// the data read from the file's decimal text, `parameters` converted exactly, the formula
    /// interpreted in that arithmetic and the squares summed there.
    ///
    /// Near a zero-residual fit |r| ≈ 1e-13 against |y| ≈ 1, so forming r in Double loses most
    /// of its digits before any sum; 11 more bits of significand keep them (about 3 more digits
    /// of every residual). Nil when a field does not parse or a value is not finite.
    public func extendedResidualSumOfSquares(at parameters: [Double]) -> Double? {
        let b = parameters.map { NISTExtendedReal($0) }
        var sum: NISTExtendedReal = 0
        for row in dataText {
            guard let response = row.first.flatMap(Self.extended), row.count == model.predictorCount + 1 else { return nil }
            var predictors: [NISTExtendedReal] = []
            predictors.reserveCapacity(row.count - 1)
            for field in row.dropFirst() {
                guard let value = Self.extended(field) else { return nil }
                predictors.append(value)
            }
            let target = model.responseTransform.map { $0.apply(response) } ?? response
            let residual = model.program.value(parameters: b, predictors: predictors) - target
            sum += residual * residual
        }
        let result = Double(sum)
        return result.isFinite ? result : nil
    }

    /// A field's decimal text in extended precision (NIST writes `1.0E+02` and `-0.5`).
    static func extended(_ text: String) -> NISTExtendedReal? {
        NISTExtendedReal(text)
    }
}
