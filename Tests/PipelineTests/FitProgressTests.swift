import Solvers
import Synchronization
import Testing
@testable import Pipeline

/// Fit progress: notes rate-limited on an injected clock, and log lines without a terminal.
@Suite struct FitProgressTests {
    /// A clock the test advances by hand.
    final class ManualClock: Sendable {
        let time = Mutex(0.0)
        func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
        var now: @Sendable () -> Double { { [self] in time.withLock { $0 } } }
    }

    @Test func notesAreRateLimitedAndFormatted() {
        let clock = ManualClock()
        let notes = Mutex<[String]>([])
        let reporter = FitProgressNotes(progress: StageProgress { text in notes.withLock { $0.append(text) } }, interval: 0.1, now: clock.now)
        for iteration in 1...5 {
            reporter.observe(FitProgress(iteration: iteration, cost: 1.0 / Double(iteration), elapsedSeconds: 0))
            clock.advance(0.03125)
        }
        // t = 0 notes; 1/32, 2/32, 3/32 s do not; 4/32 s does.
        #expect(notes.withLock { $0 } == ["iteration 1 · cost 1", "iteration 5 · cost 0.2"])
        #expect(FitProgressNotes.text(FitProgress(iteration: 120, cost: 0.0321449, elapsedSeconds: 3)) == "iteration 120 · cost 0.03214")
    }

    @Test func withoutATerminalALongCasePrintsAtMostOneLinePerInterval() {
        let clock = ManualClock()
        let lines = Mutex<[String]>([])
        let display = RunProgressDisplay(isTerminal: false, write: { text in lines.withLock { $0.append(text) } }, now: clock.now)
        display.begin(total: 1, experiment: "e")
        display.beginCase(index: 0, id: "case")
        display.stage("solver")
        for iteration in 1...80 {
            clock.advance(0.125)  // exact in binary: 40 steps are 5 s
            display.note("iteration \(iteration)")
        }
        display.endCase(status: "ok")
        let written = lines.withLock { $0 }
        // 10 s of notes: lines at 5 s and 10 s, then the case's closing line.
        #expect(written.count == 4, "\(written)")
        #expect(written[1].hasPrefix("[1/1] case · solver · iteration 40 · 5.0 s"), "\(written[1])")
        #expect(written[2].hasPrefix("[1/1] case · solver · iteration 80 · 10.0 s"), "\(written[2])")
        #expect(written[3].hasPrefix("[1/1] case · ok · 10.0 s"), "\(written[3])")
        #expect(written.allSatisfy { !$0.contains("\r") })
    }

    @Test func onATerminalTheLineIsRedrawnInPlaceAtMostTenTimesASecond() {
        let clock = ManualClock()
        let lines = Mutex<[String]>([])
        let display = RunProgressDisplay(isTerminal: true, write: { text in lines.withLock { $0.append(text) } }, now: clock.now)
        display.begin(total: 1, experiment: "e")
        display.beginCase(index: 0, id: "case")
        for iteration in 1...100 {
            clock.advance(0.01)
            display.note("iteration \(iteration)")
        }
        let redraws = lines.withLock { $0 }.dropFirst().filter { $0.hasPrefix("\r\u{1B}[K") }
        // The forced draw at the case start, then one per 0.1 s of the 1 s of notes.
        #expect(redraws.count >= 10 && redraws.count <= 11, "\(redraws.count)")
        #expect(redraws.last?.contains("iteration 100") == true || redraws.last?.contains("iteration 9") == true)
    }
}
