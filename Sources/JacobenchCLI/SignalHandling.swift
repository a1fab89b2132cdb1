import Foundation
import Pipeline

/// SIGINT → the process cancellation flag (stages stop at their next iteration or repeat);
/// a second SIGINT exits at once with 130.
enum SignalHandling {
    static func installInterruptHandler() {
        signal(SIGINT) { _ in
            if CancellationFlag.process.isCancelled { _exit(130) }
            CancellationFlag.process.cancel()
        }
        // A parent may have spawned us with SIGINT blocked; unblock it so Ctrl-C and batch
        // interruption reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
