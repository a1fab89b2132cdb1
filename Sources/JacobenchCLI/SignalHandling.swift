import Foundation
import Pipeline

/// SIGINT (Ctrl-C) and SIGTERM (what SLURM's `scancel` and job time limits send) → the
/// process cancellation flag: stages stop at their next iteration or repeat, finished cases
/// are kept in a bundle marked incomplete, and `--resume` finishes it. A second signal
/// exits at once (130 for SIGINT, 143 for SIGTERM).
enum SignalHandling {
    /// The signals that interrupt a run.
    static let interruptingSignals: [Int32] = [SIGINT, SIGTERM]

    static func installInterruptHandler() {
        for number in interruptingSignals {
            signal(number) { received in
                if CancellationFlag.process.isCancelled { _exit(128 + received) }
                CancellationFlag.process.cancel()
            }
        }
        // A parent may have spawned us with these signals blocked; unblock them so Ctrl-C,
        // scancel and batch interruption reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        for number in interruptingSignals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
