/// A case's `fit.csv` read back for the report: rows grouped by target (one group without a
/// `target` column). Rows with a non-finite number are left out.
struct FitCurveTable {
    /// One row of the file.
    struct Row {
        var x: Double, observed: Double, fitted: Double, residual: Double
    }

    /// The rows of one target, in file order.
    struct Group {
        /// The target's name; nil for a file of one target.
        var target: String?
        var rows: [Row]
    }

    /// Whether the first column is the one input (`input`), else the sample index (`sample`).
    var hasOneInput: Bool
    /// The groups, in order of first appearance.
    var groups: [Group]

    /// All rows.
    var rowCount: Int { groups.reduce(0) { $0 + $1.rows.count } }

    /// Parses `input|sample[,target],observed,fitted,residual`; nil for another header.
    init?(csv: String) {
        let lines = csv.split(separator: "\n")
        guard let header = lines.first?.split(separator: ",").map(String.init),
              let first = header.first, first == "input" || first == "sample"
        else { return nil }
        let hasTarget = header.count == 5 && header[1] == "target"
        guard header.count == (hasTarget ? 5 : 4) else { return nil }
        hasOneInput = first == "input"
        var groups: [Group] = []
        var indexOfTarget: [String: Int] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else { continue }
            let numbers = (hasTarget ? [fields[0]] + fields[2...] : fields[...]).map { Double($0) ?? .nan }
            guard numbers.count == 4, numbers.allSatisfy(\.isFinite) else { continue }
            let target = hasTarget ? fields[1] : nil
            let key = target ?? ""
            if indexOfTarget[key] == nil {
                indexOfTarget[key] = groups.count
                groups.append(Group(target: target, rows: []))
            }
            groups[indexOfTarget[key]!].rows.append(Row(x: numbers[0], observed: numbers[1], fitted: numbers[2], residual: numbers[3]))
        }
        self.groups = groups
    }
}
