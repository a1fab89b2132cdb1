import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing
@testable import Datasets

@Suite struct DatasetSplitTests {
    let dataset = Dataset(
        inputs: Matrix(rows: 10, columns: 1, elements: (0..<10).map(Double.init)),
        targets: Matrix(rows: 10, columns: 1, elements: (0..<10).map { Double($0) * 10 }))

    @Test func splitIsSeededDisjointAndComplete() throws {
        let split = dataset.split(testFraction: 0.3, seed: 11)
        let test = try #require(split.test)
        #expect(test.sampleCount == 3 && split.training.sampleCount == 7)
        let all = (split.training.inputs.elements + test.inputs.elements).sorted()
        #expect(all == (0..<10).map(Double.init))
        // Rows stay paired and in original order within each part.
        for part in [split.training, test] {
            for row in 0..<part.sampleCount { #expect(part.targets[row, 0] == part.inputs[row, 0] * 10) }
            #expect(part.inputs.elements == part.inputs.elements.sorted())
        }
        #expect(dataset.split(testFraction: 0.3, seed: 11) == split)
        #expect(dataset.split(testFraction: 0.3, seed: 12) != split || dataset.split(testFraction: 0.3, seed: 13) != split)
    }

    @Test func zeroFractionKeepsEverything() {
        let split = dataset.split(testFraction: 0, seed: 1)
        #expect(split.test == nil && split.training == dataset)
    }
}

@Suite struct FunctionDataSourceTests {
    @Test func gridSamplesTheFormulaExactlyWithoutNoise() throws {
        let source = FunctionDataSource(
            formula: "y = b1*sin(x1) + x2**2", parameterValues: ["b1": 2],
            axes: [.init(name: "x1", lower: 0, upper: 2), .init(name: "x2", lower: -1, upper: 1)],
            sampling: .grid(pointsPerAxis: [3, 5]))
        let data = try source.generate(seed: 1)
        #expect(data.sampleCount == 15)
        #expect(data.inputNames == ["x1", "x2"] && data.targetNames == ["y"])
        #expect(data.inputs.row(0) == [0, -1] && data.inputs.row(1) == [0, -0.5] && data.inputs.row(14) == [2, 1])
        for s in 0..<15 {
            let x1 = data.inputs[s, 0], x2 = data.inputs[s, 1]
            #expect(Swift.abs(data.targets[s, 0] - (2 * Foundation.sin(x1) + x2 * x2)) < 1e-15)
        }
    }

    @Test func randomSamplesStayInTheBoxAndNoiseHasTheRequestedSpread() throws {
        let source = FunctionDataSource(
            formula: "y = 3*x", axes: [.init(name: "x", lower: 2, upper: 5)], sampling: .random(count: 4000), noise: 0.5)
        let data = try source.generate(seed: 7)
        #expect(data.inputs.elements.allSatisfy { $0 >= 2 && $0 < 5 })
        let residuals = (0..<4000).map { data.targets[$0, 0] - 3 * data.inputs[$0, 0] }
        let mean = residuals.reduce(0, +) / 4000
        let spread = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3999).squareRoot()
        #expect(Swift.abs(mean) < 0.05)  // 6.3 standard errors of the mean
        #expect(Swift.abs(spread - 0.5) < 0.03)
        #expect(try source.generate(seed: 7) == data)
        #expect(try source.generate(seed: 8) != data)
    }

    @Test(arguments: [
        (FunctionDataSource(formula: "y = b1*x", axes: [.init(name: "x", lower: 0, upper: 1)], sampling: .random(count: 3)),
         "parameters: no value for the formula's parameter 'b1'"),
        (FunctionDataSource(formula: "log[y] = x", axes: [.init(name: "x", lower: 0, upper: 1)], sampling: .random(count: 3)),
         "formula: write the response untransformed ('y = …'), not log[y]"),
        (FunctionDataSource(formula: "y = x", axes: [.init(name: "x", lower: 1, upper: 0)], sampling: .random(count: 3)),
         "axes.x: range [1.0, 0.0] must be finite with lower ≤ upper"),
        (FunctionDataSource(formula: "y = x", axes: [.init(name: "x", lower: 0, upper: 1)], sampling: .grid(pointsPerAxis: [2, 2])),
         "grid: 2 point count(s) for 1 axes"),
        (FunctionDataSource(formula: "y = log(x)", axes: [.init(name: "x", lower: -1, upper: 0)], sampling: .grid(pointsPerAxis: [2])),
         "formula: the formula is not finite at x = -1.0"),
    ] as [(FunctionDataSource, String)])
    func configurationErrorsNameTheField(_ source: FunctionDataSource, _ expected: String) {
        do {
            _ = try source.generate(seed: 1)
            Issue.record("generated from an invalid configuration")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func formulaErrorsKeepTheirCaret() {
        let source = FunctionDataSource(formula: "y = sin(x", axes: [.init(name: "x", lower: 0, upper: 1)], sampling: .random(count: 3))
        do {
            _ = try source.generate(seed: 1)
            Issue.record("parsed an invalid formula")
        } catch {
            #expect(error.description.hasPrefix("formula: formula line 1, column 10: expected ')'"), "\(error)")
            #expect(error.description.hasSuffix("    y = sin(x\n             ^"), "\(error)")
        }
    }
}

@Suite struct TeacherNetworkDataSourceTests {
    @Test func theForumCaseHasItsShapeAndFollowsTheTeacher() throws {
        let source = TeacherNetworkDataSource(layerWidths: [5, 9, 3], activation: .tanh, samples: 192, testSamples: 50, noise: 0)
        let split = try source.generate(seed: 42)
        #expect(split.training.inputs.rows == 192 && split.training.inputs.columns == 5)
        #expect(split.training.targets.rows == 192 && split.training.targets.columns == 3)
        #expect(split.training.targetNames == ["y1", "y2", "y3"])
        let test = try #require(split.test)
        #expect(test.sampleCount == 50)
        // Without noise the targets are exactly the teacher's outputs, written out by hand.
        let teacher = source.teacher(seed: 42)
        #expect(teacher.parameterCount == 84)
        let theta = teacher.parameters
        for s in [0, 191] {
            let x = split.training.inputs.row(s)
            var hidden = [Double](repeating: 0, count: 9)
            for o in 0..<9 {
                var z = theta[45 + o]
                for i in 0..<5 { z += theta[o * 5 + i] * x[i] }
                hidden[o] = Foundation.tanh(z)
            }
            for o in 0..<3 {
                var z = theta[54 + 27 + o]
                for i in 0..<9 { z += theta[54 + o * 9 + i] * hidden[i] }
                #expect(Swift.abs(split.training.targets[s, o] - z) < 1e-13)
            }
        }
        #expect(split.training.inputs.elements.allSatisfy { $0 >= -1 && $0 < 1 })
        #expect(theta[45..<54].contains { $0 != 0 }, "teacher biases are random, not zero")
    }

    @Test func noiseIsSeededAndOnlyOnTrainingTargets() throws {
        let clean = try TeacherNetworkDataSource(layerWidths: [2, 4, 1], samples: 500, testSamples: 10, noise: 0).generate(seed: 3)
        let noisy = try TeacherNetworkDataSource(layerWidths: [2, 4, 1], samples: 500, testSamples: 10, noise: 0.1).generate(seed: 3)
        #expect(clean.training.inputs == noisy.training.inputs)
        let differences = zip(clean.training.targets.elements, noisy.training.targets.elements).map { $1 - $0 }
        let spread = (differences.map { $0 * $0 }.reduce(0, +) / 500).squareRoot()
        #expect(Swift.abs(spread - 0.1) < 0.01)
        #expect(try TeacherNetworkDataSource(layerWidths: [2, 4, 1], samples: 500, testSamples: 10, noise: 0.1).generate(seed: 3) == noisy)
    }

    /// The teacher cost is ½‖y − teacher(x)‖² of the training targets: the noise drawn, not
    /// ½·M·noise² (which it misses by chance), and 0 without noise.
    @Test func theTeacherCostIsHalfTheSquaredNoiseActuallyDrawn() throws {
        let clean = try TeacherNetworkDataSource(layerWidths: [2, 4, 3], samples: 300, noise: 0).generate(seed: 8)
        let noisy = try TeacherNetworkDataSource(layerWidths: [2, 4, 3], samples: 300, noise: 0.05).generate(seed: 8)
        #expect(clean.teacherCost == 0)
        let recomputed = 0.5 * zip(noisy.training.targets.elements, clean.training.targets.elements).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        let cost = try #require(noisy.teacherCost)
        #expect(Swift.abs(cost - recomputed) <= 1e-12 * recomputed)
        let nominal = 0.5 * 900 * 0.05 * 0.05
        #expect(cost != nominal && Swift.abs(cost - nominal) < 0.25 * nominal)
    }

    @Test func invalidSizesAreErrors() {
        do {
            _ = try TeacherNetworkDataSource(layerWidths: [5, 9, 3], samples: 0).generate(seed: 1)
            Issue.record("generated zero samples")
        } catch {
            #expect(error.description == "samples: must be positive, got 0")
        }
    }
}
