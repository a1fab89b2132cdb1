/// The one set of checks a stage's `validate` applies to numbers a manifest gives: NaN and
/// ±∞ are rejected wherever a number is required, exactly as a negative value is, and sizes
/// that would leave nothing to compute (0 lanes, 0 training rows) are rejected with the
/// reason. Each check throws a ``ConfigurationProblem`` naming the field, which the registry
/// locates at the value (file:line:column).
public enum CheckedNumber {
    /// `value` must be a finite number (any sign).
    public static func finite(_ value: Double, field: String) throws {
        guard value.isFinite else { throw ConfigurationProblem(field: field, "must be a finite number, got \(value)") }
    }

    /// Every entry of `values` must be finite; the message names the first that is not.
    public static func finite(_ values: [Double], field: String) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw ConfigurationProblem(field: field, "entry \(index + 1) must be a finite number, got \(values[index])")
        }
    }

    /// `value` must be finite and ≥ 0 (tolerances, noise, rates).
    public static func nonNegative(_ value: Double, field: String) throws {
        guard value.isFinite, value >= 0 else { throw ConfigurationProblem(field: field, "must be a finite number ≥ 0, got \(value)") }
    }

    /// `value` must be finite and > 0 (time budgets, steps, caps).
    public static func positive(_ value: Double, field: String) throws {
        guard value.isFinite, value > 0 else { throw ConfigurationProblem(field: field, "must be a finite number > 0, got \(value)") }
    }

    /// `value` must be at least 1 (counts of lanes, repeats, samples).
    public static func positive(_ value: Int, field: String) throws {
        guard value >= 1 else { throw ConfigurationProblem(field: field, "must be positive, got \(value)") }
    }

    /// A held-out fraction must lie in [0, 1).
    public static func fraction(_ value: Double, field: String) throws {
        guard value.isFinite, value >= 0, value < 1 else { throw ConfigurationProblem(field: field, "must be in [0, 1), got \(value)") }
    }

    /// The training rows left by holding out round(`testFraction`·`samples`) of `samples`
    /// (the rule of `Dataset.split`); throws when none would be left.
    @discardableResult
    public static func trainingRows(samples: Int, testFraction: Double, field: String = "test-fraction") throws -> Int {
        try fraction(testFraction, field: field)
        let test = Int((testFraction * Double(samples)).rounded())
        let training = samples - test
        guard training >= 1 else {
            throw ConfigurationProblem(
                field: field, "holding out \(test) of \(samples) sample\(samples == 1 ? "" : "s") leaves no training rows; lower test-fraction or add samples")
        }
        return training
    }
}
