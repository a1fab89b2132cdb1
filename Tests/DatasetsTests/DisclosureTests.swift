import Datasets
import MessageText
import Testing

/// Errors never print another file's contents: a "header" that is not one is not shown,
/// and values in messages are cut and escaped.
@Suite struct DisclosureTests {
    static let notCSV: [(name: String, text: String, secrets: [String])] = [
        ("shadow", "root:$6$abcdefgh$SECRETHASHVALUE:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", ["SECRETHASH", "root", "$6$"]),
        ("environ", "HOME=/root\u{0}SECRET_TOKEN=abc123\u{0}PATH=/usr/bin\u{0}", ["SECRET_TOKEN", "abc123", "HOME"]),
        ("passwd", "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\n", ["/root", "bash", "root:x"]),
        ("key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n", ["OPENSSH", "b3BlbnNz"]),
    ]

    @Test(arguments: notCSV.map(\.name))
    func aFileThatIsNotCSVIsNeverEchoed(_ name: String) throws {
        let entry = try #require(Self.notCSV.first { $0.name == name })
        let error = try #require(throws: DataFileError.self) {
            _ = try CSVDataSource(inputColumns: ["x"], targetColumns: ["y"]).parse(entry.text, file: "/data/\(name).csv")
        }
        let message = error.description
        #expect(message.contains("not a CSV header (not shown)") || message.contains("not valid"), "\(message)")
        for secret in entry.secrets { #expect(!message.contains(secret), "\(name): \(message)") }
    }

    @Test func aRealHeaderIsListed() throws {
        let error = try #require(throws: DataFileError.self) {
            _ = try CSVDataSource(inputColumns: ["x"], targetColumns: ["y"]).parse("time (s),signal\n1,2\n", file: "d.csv")
        }
        #expect(error.description.contains("(columns: time (s), signal)"), "\(error.description)")
    }

    @Test func quotedValuesAreCutAndEscaped() {
        let long = String(repeating: "a", count: 10_000)
        #expect(QuotedText.quoted(long) == "'" + String(repeating: "a", count: 40) + "…'")
        #expect(QuotedText.quoted("a\nb\u{1b}[2Jc'd") == #"'a\nb\u{1b}[2Jc\'d'"#)
        #expect(QuotedText.isPlainName("x_1") && QuotedText.isPlainName("time (s)"))
        #expect(!QuotedText.isPlainName("HOME=/root") && !QuotedText.isPlainName("root:x:0") && !QuotedText.isPlainName(""))
    }

    /// A cell that is not a number is quoted short, whatever its length.
    @Test func aHugeCellIsCutInTheMessage() throws {
        let cell = String(repeating: "z", count: 1_000_000)
        let error = try #require(throws: DataFileError.self) {
            _ = try CSVDataSource(inputColumns: ["x"], targetColumns: ["y"]).parse("x,y\n\(cell),1\n", file: "d.csv")
        }
        #expect(error.description.count < 200, "\(error.description.prefix(200))")
    }
}
