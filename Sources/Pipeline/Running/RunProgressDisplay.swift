import Foundation
import Synchronization

/// The progress line on stderr: one updating line per case (`[2/6] layers=5x9x3 · solver ·
/// iteration 12 · cost 0.031 · 3.2 s · ETA 20 s`). On a terminal the line is redrawn in place
/// (at most ten times a second); otherwise (logs, SLURM) one line is printed when each case
/// ends, and a case that runs longer prints its current line at most once per
/// ``logInterval`` seconds.
public final class RunProgressDisplay: Sendable {
    private struct State {
        var total = 0
        var index = 0
        var caseID = ""
        var stage = ""
        var note = ""
        var caseStart = 0.0
        var finishedSeconds: [Double] = []
        /// Predicted seconds per case (run order), from the estimate before the first case.
        var predicted: [Double?] = []
        var lastDraw = -Double.infinity
        var lastLog = 0.0
        var runStart = 0.0
    }

    /// Seconds between progress lines without a terminal (5).
    public static let logInterval = 5.0

    private let state = Mutex(State())
    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Double

    /// A display writing to stderr; `isTerminal` defaults to isatty(2); `now` is monotonic
    /// seconds (injected by tests).
    public init(
        isTerminal: Bool = isatty(2) != 0,
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
        now: @escaping @Sendable () -> Double = MonotonicClock.seconds
    ) {
        self.isTerminal = isTerminal
        self.write = write
        self.now = now
        let start = now()
        state.withLock { $0.runStart = start }
    }

    /// Announces the run: case count and, when given, the estimate made before any case
    /// ran (``RunEstimate``); the running estimate follows after the first case.
    public func begin(total: Int, experiment: String, estimate: RunEstimate? = nil) {
        let start = now()
        state.withLock { $0.total = total; $0.runStart = start; $0.predicted = estimate?.caseSeconds ?? [] }
        var line = "jacobench: \(experiment): \(total) case\(total == 1 ? "" : "s")"
        if let estimate { line += ", " + estimate.summary }
        write(line + "\n")
    }

    /// A case starts.
    public func beginCase(index: Int, id: String) {
        let start = now()
        state.withLock {
            $0.index = index
            $0.caseID = id
            $0.stage = ""
            $0.note = ""
            $0.caseStart = start
            $0.lastLog = start
        }
        draw(force: true)
    }

    /// A stage of the current case starts.
    public func stage(_ name: String) {
        state.withLock { $0.stage = name; $0.note = "" }
        draw(force: false)
    }

    /// A note from inside a stage.
    public func note(_ text: String) {
        state.withLock { $0.note = text }
        draw(force: false)
    }

    /// A case ended with `status`; `finished` is false for an interrupted case (not counted in estimates).
    public func endCase(status: String, finished: Bool = true) {
        let time = now()
        let (line, first, total) = state.withLock { state -> (String, Bool, Int) in
            guard finished else { return (Self.line(state, status: status, now: time), false, state.total) }
            state.finishedSeconds.append(time - state.caseStart)
            return (Self.line(state, status: status, now: time), state.finishedSeconds.count == 1, state.total)
        }
        write((isTerminal ? "\r\u{1B}[K" : "") + line + "\n")
        if first && total > 1 {
            let estimate = state.withLock { state in state.finishedSeconds[0] + (Self.remainingSeconds(state, includingCurrent: false) ?? 0) }
            write("jacobench: estimated total time ~\(Self.duration(estimate)) for \(total) cases\n")
        }
    }

    /// The progress sink stages write notes to.
    public var stageProgress: StageProgress {
        StageProgress { [self] text in note(text) }
    }

    private func draw(force: Bool) {
        let time = now()
        guard isTerminal else {
            // Logs: the current line once per logInterval of a long case, never on a forced redraw.
            let line: String? = state.withLock { state in
                guard !force, time - state.lastLog >= Self.logInterval else { return nil }
                state.lastLog = time
                return Self.line(state, status: nil, now: time)
            }
            if let line { write(line + "\n") }
            return
        }
        let line: String? = state.withLock { state in
            guard force || time - state.lastDraw >= 0.1 else { return nil }
            state.lastDraw = time
            return Self.line(state, status: nil, now: time)
        }
        if let line { write("\r\u{1B}[K" + line) }
    }

    private static func line(_ state: State, status: String?, now: Double) -> String {
        var parts = ["[\(state.index + 1)/\(state.total)] \(state.caseID)"]
        if let status {
            parts.append(status)
        } else {
            if !state.stage.isEmpty { parts.append(state.stage) }
            if !state.note.isEmpty { parts.append(state.note) }
        }
        parts.append(duration(now - state.caseStart))
        if let remaining = remainingSeconds(state, includingCurrent: status == nil), remaining > 0 {
            parts.append("ETA \(duration(remaining))")
        }
        return parts.joined(separator: " · ")
    }

    /// Seconds left after the finished cases (and the current one unless `includingCurrent`):
    /// the pre-run predictions of the cases left, rescaled by measured / predicted over the
    /// finished cases (once they are a tenth of the predicted total; at most 2x either way);
    /// without predictions, the mean finished case times the cases left.
    /// Nil before any case finished.
    private static func remainingSeconds(_ state: State, includingCurrent: Bool) -> Double? {
        remainingSeconds(
            finished: state.finishedSeconds, predicted: state.predicted, total: state.total,
            firstLeft: state.finishedSeconds.count + (includingCurrent ? 1 : 0))
    }

    /// See ``remainingSeconds(_:includingCurrent:)``; cases from `firstLeft` on are left.
    static func remainingSeconds(finished: [Double], predicted: [Double?], total: Int, firstLeft: Int) -> Double? {
        guard !finished.isEmpty else { return nil }
        let left = max(0, total - firstLeft)
        let predictedDone = predicted.prefix(finished.count).compactMap { $0 }.reduce(0, +)
        if predicted.count == total, predictedDone > 0, predicted.allSatisfy({ $0 != nil }) {
            // Rescaled only once the finished cases make up a tenth of the predicted total,
            // and by at most 2x either way: a first short case (its fixed costs large beside
            // a prediction of milliseconds) says little about the long cases after it.
            let predictedTotal = predicted.compactMap { $0 }.reduce(0, +)
            let ratio = predictedDone >= 0.1 * predictedTotal ? finished.reduce(0, +) / predictedDone : 1
            let scale = min(max(ratio, 0.5), 2)
            return predicted[min(firstLeft, total)...].compactMap { $0 }.reduce(0, +) * scale
        }
        return finished.reduce(0, +) / Double(finished.count) * Double(left)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        if seconds < 3600 { return String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%d h %02d min", Int(seconds) / 3600, (Int(seconds) % 3600) / 60)
    }
}
