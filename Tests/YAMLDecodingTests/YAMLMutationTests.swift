import Testing
@testable import YAMLDecoding

/// Seeded random edits of a realistic manifest: parsing and decoding either succeed or throw
/// a `YAMLError` located inside the text; they never crash or throw anything else.
struct YAMLMutationTests {
    static let manifest = """
        name: seed-lm
        description: "The forum case. N = 84, M = 576."
        seed: 42
        defaults: &solver { kind: levenberg-marquardt, max-iterations: 200 }
        data:     { kind: teacher-mlp, layers: [5, 9, 3], samples: 192, noise: 0.01 }
        model:
          kind: mlp
          layers: [5, 9, 3]
          activation: tanh
        solver:
          <<: *solver
          lambda0: 1e-3
        evaluation:
          - { kind: jacobian-accuracy }
          - kind: jacobian-timing
            repeats: 50
        notes: |
          first line
          second line
        sweep:
          model.layers: [[5, 9, 3], [5, 32, 3]]

        """

    static let alphabet = Array(" \n\t:-,[]{}&*!|>'\"#?%@`~.0a")

    @Test(arguments: 0..<300)
    func mutatedManifestFailsCleanly(seed: Int) {
        var g = YAMLRoundTripTests.Generator(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        var characters = Array(Self.manifest)
        for _ in 0..<(1 + g.below(3)) {
            let position = g.below(characters.count)
            let replacement = Self.alphabet[g.below(Self.alphabet.count)]
            switch g.below(3) {
            case 0: characters.insert(replacement, at: position)
            case 1: characters.remove(at: position)
            default: characters[position] = replacement
            }
        }
        let text = String(characters)
        let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
        do {
            let node = try YAMLParser.parse(text, file: "x.yaml")
            _ = node.jsonText()
            _ = try YAMLNodeDecoder().decode(YAMLRoundTripTests.Tree.self, from: node)
        } catch let error as YAMLError {
            #expect(error.location?.file == "x.yaml")
            #expect((1...lineCount + 1).contains(error.location?.line ?? 0), "\(error)")
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("not a YAMLError: \(error)")
        }
    }
}
