import Testing
@testable import Pipeline

/// NIST's LRE as the `nist-certified` evaluation reports it.
@Suite struct LogRelativeErrorTests {
    @Test func digitsAreCappedAndNeverNegativeZero() {
        #expect(abs(NISTCertifiedEvaluation.logRelativeError(1.001, certified: 1, cap: 11) - 3) < 1e-9)
        #expect(NISTCertifiedEvaluation.logRelativeError(1, certified: 1, cap: 11) == 11)
        // An error of exactly 100 % is 0 digits: +0.0, not −0.0.
        let whole = NISTCertifiedEvaluation.logRelativeError(2, certified: 1, cap: 11)
        #expect(whole == 0 && whole.sign == .plus)
        #expect(NISTCertifiedEvaluation.logRelativeError(50, certified: 1, cap: 11).sign == .plus)
        // Not determined (NaN) counts as no digits.
        #expect(NISTCertifiedEvaluation.logRelativeError(.nan, certified: 1, cap: 11) == 0)
    }
}
