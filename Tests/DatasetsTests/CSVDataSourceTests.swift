import Foundation
import LinearAlgebra
import Testing
@testable import Datasets

@Suite struct CSVDataSourceTests {
    let source = CSVDataSource(inputColumns: ["x1", "x2"], targetColumns: ["y"])

    func failure(_ text: String, source: CSVDataSource? = nil) -> DataFileError? {
        do {
            _ = try (source ?? self.source).parse(text, file: "data.csv")
            return nil
        } catch {
            return error
        }
    }

    @Test func readsNamedColumnsInTheRequestedOrder() throws {
        let text = "id,y,x2,x1,note\n1,0.5,2,1e-3,\"a, b\"\r\n2, -1.25 ,4,2E+1,\"say \"\"hi\"\"\"\n\n"
        let dataset = try source.parse(text, file: "data.csv")
        #expect(dataset.inputs == Matrix([[1e-3, 2], [20, 4]]))
        #expect(dataset.targets == Matrix([[0.5], [-1.25]]))
        #expect(dataset.inputNames == ["x1", "x2"])
        #expect(dataset.targetNames == ["y"])
    }

    @Test func quotedFieldsMaySpanLinesAndLineNumbersFollow() throws {
        let text = "x1,x2,y,note\n1,2,3,\"two\nlines\"\n4,5,oops,z\n"
        let error = try #require(failure(text))
        #expect(error.line == 4)
        #expect(error.description == "data.csv:4: column 'y' (field 3): 'oops' is not a number")
    }

    @Test(arguments: [
        // (text, expected description)
        ("", "data.csv: the file is empty; expected a header row naming the columns"),
        ("x1,x2,y\n", "data.csv:1: the file has a header but no data rows"),
        ("x1,y\n1,2\n", "data.csv:1: column 'x2': no such input column in the header (columns: x1, y)"),
        ("x1,x2\n1,2\n", "data.csv:1: column 'y': no such target column in the header (columns: x1, x2)"),
        ("x1,x2,y\n1,2,3\n4,5\n", "data.csv:3: row has 2 field(s) but the header has 3"),
        ("x1,x2,y\n1,2,3\n4,5,6,7\n", "data.csv:3: row has 4 field(s) but the header has 3"),
        ("x1,x2,y\n1,abc,3\n", "data.csv:2: column 'x2' (field 2): 'abc' is not a number"),
        ("x1,x2,y\n1,2,NaN\n", "data.csv:2: column 'y' (field 3): 'NaN' is not a finite number (NaN and infinity are not allowed)"),
        ("x1,x2,y\n1,inf,3\n", "data.csv:2: column 'x2' (field 2): 'inf' is not a finite number (NaN and infinity are not allowed)"),
        ("x1,x2,y\n1,,3\n", "data.csv:2: column 'x2' (field 2): empty cell; expected a number"),
        ("x1,x2,x1,y\n1,2,3,4\n", "data.csv:1: column 'x1' (field 3): duplicate column name (also field 1)"),
        ("x1,x2,y\n1,\"2,3\n", "data.csv:2: quoted field is never closed"),
        ("x1,x2,y\n1,2\"x\",3\n", "data.csv:2: stray '\"' inside an unquoted field (quote the whole field and double inner quotes)"),
    ] as [(String, String)])
    func errorsNameFileRowAndColumn(_ text: String, _ expected: String) throws {
        let error = try #require(failure(text))
        #expect(error.description == expected)
    }

    @Test func aColumnCannotBeBothInputAndTarget() throws {
        let error = try #require(failure("a,b\n1,2\n", source: CSVDataSource(inputColumns: ["a"], targetColumns: ["a"])))
        #expect(error.description == "data.csv: column 'a': requested both as an input and as a target")
    }

    @Test func notUTF8NamesTheLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jacobench-latin1-\(UInt32.random(in: 0...UInt32.max)).csv").path
        var bytes = Array("x1,x2,y\n1,2,3\n".utf8)
        bytes += [0x34, 0x2C, 0x35, 0x2C, 0xE9, 0x0A]  // "4,5,\u{e9}" in Latin-1
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try source.load(contentsOf: path)
            Issue.record("loaded invalid UTF-8")
        } catch {
            #expect(error.description == "\(path):3: the file is not valid UTF-8 text")
        }
    }

    @Test func missingFileNamesThePath() {
        do {
            _ = try source.load(contentsOf: "/nonexistent/data.csv")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/data.csv: cannot read the file"))
        }
    }
}
