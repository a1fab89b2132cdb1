import Testing
@testable import Jacobians

/// Predictions for sizes near 2^63 saturate at `Int.max` (over any budget) instead of trapping.
@Suite struct CostModelOverflowTests {
    @Test func unchunkedSeedOfFourBillionLanesSaturates() {
        let plan = JacobianCostModel.chunking(total: 4_000_000_000, chunk: nil, other: 3)
        #expect(plan.sweeps == 1)
        #expect(plan.workspaceBytes == Int.max)
    }

    @Test func chunkedSeedOfHugeDimensionsSaturatesAndCountsSweeps() {
        let plan = JacobianCostModel.chunking(total: Int.max, chunk: 16, other: Int.max)
        #expect(plan.lanes == 16)
        #expect(plan.sweeps == (Int.max - 1) / 16 + 1)
        #expect(plan.workspaceBytes == Int.max)
        #expect(JacobianCostModel.chunking(total: 100, chunk: 16, other: 4) == (7, 16, 16 * 104 * 8))
    }

    @Test func byteCountsSaturate() {
        #expect(JacobianShape.doubleBytes(1 << 61) == Int.max)
        #expect(JacobianShape.doubleBytes(3) == 24)
        #expect(JacobianShape.saturatingSum(Int.max, 1) == Int.max)
        #expect(JacobianShape.saturatingSum(2, 3, 4) == 9)
    }
}
