import Foundation
import FormulaModels
import LinearAlgebra
import Testing
@testable import Datasets

/// Tests/Fixtures/nist, located from this source file (no resources are declared).
let nistFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/nist")

func nistFixture(_ name: String) -> String { nistFixtures.appendingPathComponent(name).path }

/// Every fixture file: the shared NIST samples, the reconstructed originals and the synthetic forms.
let nistFixtureNames: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: nistFixtures.path)) ?? [])
    .filter { $0.hasSuffix(".dat") }.sorted()

/// What the file itself says, read with plain string handling independent of the loader.
struct IndependentReading {
    var parameterCount: Int
    var certified: [Double]
    var rss: Double
    var observations: Int

    init(path: String) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: .newlines)
        let rows = lines.filter { $0.range(of: #"^\s+b\d+\s+=\s"#, options: .regularExpression) != nil }
        parameterCount = rows.count
        certified = rows.map { row in
            let values = row.split(separator: "=")[1].split(separator: " ")
            return Double(values[2])!
        }
        let rssLine = lines.first { $0.hasPrefix("Residual Sum of Squares:") }!
        rss = Double(rssLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))!
        let observationLine = lines.first { $0.hasPrefix("Number of Observations:") }!
        observations = Int(observationLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))!
    }
}

@Suite struct NISTProblemTests {
    /// The 24 files of the StRD nonlinear suite shipped, as NIST distributes them (Gauss2,
    /// Gauss3 and Lanczos1 are not in the project; data/nist/README.md says why).
    static let shipped = [
        "Bennett5", "BoxBOD", "Chwirut1", "Chwirut2", "DanWood", "ENSO", "Eckerle4", "Gauss1", "Hahn1", "Kirby2", "Lanczos2",
        "Lanczos3", "MGH09", "MGH10", "MGH17", "Misra1a", "Misra1b", "Misra1c", "Misra1d", "Nelson", "Rat42", "Rat43",
        "Roszman1", "Thurber",
    ]

    @Test func everyShippedFileIsAFixture() {
        #expect(nistFixtureNames.sorted() == Self.shipped.map { $0 + ".dat" }.sorted())
    }

    /// NIST's Rat43.dat states 9 degrees of freedom for 15 observations and 4 parameters: the
    /// file loads, the statistics use N − p = 11, and the inconsistency is a warning naming the line.
    @Test func rat43AsDistributedLoadsWithAWarning() throws {
        let rat43 = try NISTProblem.load(contentsOf: nistFixture("Rat43.dat"))
        #expect(rat43.observationCount == 15 && rat43.parameterNames.count == 4)
        #expect(rat43.degreesOfFreedom == 11 && rat43.declaredDegreesOfFreedom == 9)
        #expect(rat43.headerWarnings.count == 1)
        #expect(rat43.headerWarnings.first?.contains("Rat43.dat:") == true)
        #expect(rat43.headerWarnings.first?.contains("states 9 degrees of freedom") == true)
        #expect(rat43.headerWarnings.first?.contains("= 11") == true)
        let misra = try NISTProblem.load(contentsOf: nistFixture("Misra1a.dat"))
        #expect(misra.headerWarnings.isEmpty && misra.declaredDegreesOfFreedom == misra.degreesOfFreedom)
    }

    /// Every shipped file also loads with the other line ending (the files are LF as NIST
    /// serves them; CRLF as some mirrors do), with identical contents.
    @Test(arguments: shipped) func loadsWithEitherLineEnding(name: String) throws {
        let text = try String(contentsOfFile: nistFixture(name + ".dat"), encoding: .utf8)
        let lf = text.replacingOccurrences(of: "\r\n", with: "\n")
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try NISTProblem.parse(lf, file: name), b = try NISTProblem.parse(crlf, file: name)
        #expect(a.dataset == b.dataset && a.certifiedParameters == b.certifiedParameters && a.starts == b.starts)
    }

    @Test(arguments: nistFixtureNames)
    func loadsAndReproducesTheCertifiedResidualSumOfSquares(_ name: String) throws {
        let path = nistFixture(name)
        let problem = try NISTProblem.load(contentsOf: path)
        let reading = try IndependentReading(path: path)
        #expect(problem.name == String(name.dropLast(4)))
        #expect(problem.parameterNames.count == reading.parameterCount)
        #expect(problem.certifiedParameters == reading.certified)
        #expect(problem.certifiedStandardDeviations.count == reading.parameterCount)
        #expect(problem.starts.count == 2 && problem.starts.allSatisfy { $0.count == reading.parameterCount })
        #expect(problem.residualSumOfSquares == reading.rss)
        #expect(problem.observationCount == reading.observations)
        #expect(problem.dataset.sampleCount == reading.observations)
        #expect(problem.degreesOfFreedom == reading.observations - reading.parameterCount)
        #expect(problem.startingPoint(.certified) == reading.certified)

        let map = try problem.residualMap()
        let rss = map.residualSumOfSquares(at: problem.certifiedParameters)
        let relativeError = Swift.abs(rss - problem.residualSumOfSquares) / problem.residualSumOfSquares
        #expect(relativeError < 1e-8, "\(name): RSS \(rss) vs certified \(problem.residualSumOfSquares), relative error \(relativeError)")
        // The certified residual standard deviation is sqrt(RSS / dof).
        let rsd = (rss / Double(problem.degreesOfFreedom)).squareRoot()
        #expect(Swift.abs(rsd - problem.residualStandardDeviation) / problem.residualStandardDeviation < 1e-8)
    }

    @Test func misra1aReadsEveryField() throws {
        let problem = try NISTProblem.load(contentsOf: nistFixture("Misra1a.dat"))
        #expect(problem.parameterNames == ["b1", "b2"])
        #expect(problem.model.predictorNames == ["x"])
        #expect(problem.starts == [[500, 1e-4], [250, 5e-4]])
        #expect(problem.certifiedParameters == [2.3894212918E+02, 5.5015643181E-04])
        #expect(problem.certifiedStandardDeviations == [2.7070075241E+00, 7.2668688436E-06])
        #expect(problem.residualSumOfSquares == 1.2455138894E-01)
        #expect(problem.residualStandardDeviation == 1.0187876330E-01)
        #expect(problem.degreesOfFreedom == 12)
        #expect(problem.observationCount == 14)
        #expect(problem.difficulty == "Lower")
        #expect(problem.dataset.inputs[0, 0] == 77.6 && problem.dataset.targets[0, 0] == 10.07)
        #expect(problem.dataset.inputs[13, 0] == 760.0 && problem.dataset.targets[13, 0] == 81.78)
        #expect(problem.dataset.inputNames == ["x"] && problem.dataset.targetNames == ["y"])
        #expect(problem.startingPoint(.start2) == [250, 5e-4])
        #expect(NISTStartingPoint(manifestValue: "1") == .start1)
        #expect(NISTStartingPoint(manifestValue: "certified") == .certified)
        #expect(NISTStartingPoint(manifestValue: "3") == nil)
    }

    @Test func transformedResponseWithTwoPredictors() throws {
        let nelson = try NISTProblem.load(contentsOf: nistFixture("Nelson.dat"))
        #expect(nelson.model.responseTransform == .log)
        #expect(nelson.model.predictorNames == ["x1", "x2"])
        #expect(nelson.dataset.inputs.columns == 2)
        #expect(nelson.dataset.inputs[127, 0] == 64 && nelson.dataset.inputs[127, 1] == 275)
        let map = try nelson.residualMap()
        // Residuals are taken in log space: r_s = f(x_s; b) − log(y_s).
        var residuals: [Double] = []
        map.evaluate(at: nelson.certifiedParameters, into: &residuals)
        let b = nelson.certifiedParameters
        let expected = b[0] - b[1] * 64 * Foundation.exp(-b[2] * 275) - Foundation.log(1.2)
        #expect(Swift.abs(residuals[127] - expected) < 1e-12)
    }

    @Test func auxiliaryConstantBeforeTheFormula() throws {
        let roszman = try NISTProblem.load(contentsOf: nistFixture("Roszman1.dat"))
        #expect(roszman.model.definition.constants["pi"] == 3.141592653589793238462643383279E0)
        #expect(roszman.parameterNames == ["b1", "b2", "b3", "b4"])
        #expect(roszman.starts[0] == [0.1, -0.00001, 1000, -100])
    }

    @Test func multiLineFormulasKeepEveryTerm() throws {
        let gauss = try NISTProblem.load(contentsOf: nistFixture("Gauss1.dat"))
        #expect(gauss.parameterNames.count == 8)
        #expect(gauss.model.definition.referencedParameters == Set(0..<8))
        let hahn = try NISTProblem.load(contentsOf: nistFixture("Hahn1.dat"))
        #expect(hahn.model.definition.referencedParameters == Set(0..<7))
    }
}

@Suite struct NISTFormatErrorTests {
    let misra = try! String(contentsOfFile: nistFixture("Misra1a.dat"), encoding: .utf8)

    func lines() -> [String] { misra.components(separatedBy: "\n") }

    func error(_ text: String) -> NISTFormatError? {
        do {
            _ = try NISTProblem.parse(text, file: "Broken.dat")
            return nil
        } catch {
            return error
        }
    }

    func replacing(line number: Int, with text: String) -> String {
        var all = lines()
        all[number - 1] = text
        return all.joined(separator: "\n")
    }

    @Test func truncatedFileNamesTheDataRange() throws {
        let truncated = lines().prefix(70).joined(separator: "\n")
        let failure = try #require(error(truncated))
        #expect(failure.line == 7)
        #expect(failure.description.hasPrefix("Broken.dat:7: Data (lines 61 to 74) does not fit a file of 70 lines"), "\(failure)")
    }

    @Test func wrongStartingValueRangeNamesTheRow() throws {
        let text = replacing(line: 5, with: "               Starting Values   (lines 41 to 43)")
        let failure = try #require(error(text))
        #expect(failure.line == 43, "\(failure)")
        #expect(failure.description.hasPrefix("Broken.dat:43: starting-value row"), "\(failure)")
    }

    @Test func missingRangeIsReported() throws {
        let text = replacing(line: 6, with: "               Certified Values")
        let failure = try #require(error(text))
        #expect(failure.description.contains("missing 'Certified Values (lines N to M)'"), "\(failure)")
    }

    @Test func unparsableFormulaShowsFileLineColumnAndCaret() throws {
        let text = replacing(line: 34, with: "               y = b1*(1-exp[-b2*x)  +  e")
        let failure = try #require(error(text))
        #expect(failure.line == 34)
        #expect(failure.column == 35)
        #expect(failure.description.hasPrefix("Broken.dat:34:35: ')' does not match '['"), "\(failure)")
        #expect(failure.description.hasSuffix("\n" + String(repeating: " ", count: 4 + 34) + "^"), "\(failure)")
    }

    @Test func parameterCountMismatchNamesTheModelLine() throws {
        let text = replacing(line: 32, with: "               3 Parameters (b1 to b3)")
        let failure = try #require(error(text))
        #expect(failure.line == 32)
        #expect(failure.description.contains("declares 3 parameter(s) but the starting values (lines 41 to 42) list 2"), "\(failure)")
    }

    @Test func parameterMissingFromTheFormula() throws {
        let text = replacing(line: 34, with: "               y = b1*(1-exp[-0.0005*x])  +  e")
        let failure = try #require(error(text))
        #expect(failure.line == 34)
        #expect(failure.description.contains("b2 listed in the starting values"), "\(failure)")
    }

    @Test func nonNumericDataCellNamesLineAndColumn() throws {
        let text = replacing(line: 65, with: "      29.61E0     2x9.9E0")
        let failure = try #require(error(text))
        #expect(failure.line == 65)
        #expect(failure.column == 19)
        #expect(failure.description.hasPrefix("Broken.dat:65:19: column x: '2x9.9E0' is not a finite number"), "\(failure)")
    }

    @Test func raggedDataRow() throws {
        let text = replacing(line: 62, with: "      14.73E0     114.9E0   3.0")
        let failure = try #require(error(text))
        #expect(failure.line == 62)
        #expect(failure.description.contains("has 3 value(s) but the header (line 60) names 2 columns"), "\(failure)")
    }

    @Test func observationCountMismatch() throws {
        let text = replacing(line: 47, with: "Number of Observations:                            15")
        let failure = try #require(error(text))
        #expect(failure.line == 7)
        #expect(failure.description.contains("has 14 rows but the certified values say 15 observations"), "\(failure)")
    }

    @Test func responseNameMustMatchTheDataHeader() throws {
        let text = replacing(line: 60, with: "Data:   v               x")
        let failure = try #require(error(text))
        #expect(failure.line == 34)
        #expect(failure.description.contains("response is 'y' but the data's first column is 'v'"), "\(failure)")
    }

    @Test func unreadableFileNamesThePath() {
        do {
            _ = try NISTProblem.load(contentsOf: "/nonexistent/Nope.dat")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/Nope.dat: cannot read the file"))
        }
    }

    @Test func windowsLineEndingsAreAccepted() throws {
        let crlf = misra.replacingOccurrences(of: "\n", with: "\r\n")
        let problem = try NISTProblem.parse(crlf, file: "Misra1a.dat")
        #expect(problem.observationCount == 14)
        #expect(problem.certifiedParameters == [2.3894212918E+02, 5.5015643181E-04])
    }
}

/// The fixture-driven tests run over every fixture: none silently runs zero cases.
@Suite struct NISTFixtureCountTests {
    @Test func theFixtureFolderHoldsEveryFixture() {
        #expect(nistFixtureNames.count >= 24, "\(nistFixtureNames.count) fixtures found in \(nistFixtures.path)")
    }
}

/// The extended-precision residual sum of squares on a case with a known exact answer.
@Suite struct ExtendedResidualSumTests {
    /// Misra1a's layout with the model y = b1·x + b2 and data y = x/10 written as decimals
    /// (0.1, 0.2, …, 1.4 at x = 1…14). At b1 = Double(0.1) = 0.1 + δ with δ = 1/(5·2⁵⁵) exactly,
    /// b2 = 0, every residual is exactly δ·x, so RSS = δ²·Σx² = 1015/(25·2¹¹⁰) ≈ 3.1e-32.
    static func problem() throws -> NISTProblem {
        var lines = try String(contentsOfFile: nistFixture("Misra1a.dat"), encoding: .utf8).components(separatedBy: "\n")
        lines[33] = "               y = b1*x + b2  +  e"
        for row in 0..<14 {
            let x = row + 1
            lines[60 + row] = "      \(x / 10).\(x % 10)      \(x).0"
        }
        return try NISTProblem.parse(lines.joined(separator: "\n"), file: "Linear.dat")
    }

    @Test func extendedPrecisionRecoversTheDigitsDoubleLoses() throws {
        let problem = try Self.problem()
        #expect(problem.dataText.count == 14 && problem.dataText[2] == ["0.3", "3.0"])
        let parameters = [0.1, 0]
        let exact = 1015.0 / 25 / 0x1p110
        let extended = try #require(problem.extendedResidualSumOfSquares(at: parameters))
        var residuals: [Double] = []
        try problem.residualMap().evaluate(at: parameters, into: &residuals)
        let double = residuals.reduce(0) { $0 + $1 * $1 }
        let extendedError = abs(extended - exact) / exact, doubleError = abs(double - exact) / exact
        print("extended RSS relative error \(extendedError), double \(doubleError) (exact \(exact))")
        #if arch(x86_64) || arch(i386)
        // y = x/10 is off by up to half an ulp of Float80 (≈ 3e-21·x) against residuals of 5.6e-18·x.
        #expect(extendedError < 2e-3, "extended \(extended) vs exact \(exact)")
        #expect(doubleError > 0.5, "double \(double): the digits Double loses forming r = f − y")
        #endif
    }

    /// At the certified values of a real file the extended and double sums agree to the digits
    /// NIST certifies (the residuals there are far from zero).
    @Test func agreesWithDoubleAwayFromZeroResiduals() throws {
        let misra = try NISTProblem.load(contentsOf: nistFixture("Misra1a.dat"))
        let extended = try #require(misra.extendedResidualSumOfSquares(at: misra.certifiedParameters))
        #expect(abs(extended - misra.residualSumOfSquares) / misra.residualSumOfSquares < 1e-9)
    }
}
