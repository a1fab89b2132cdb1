import CBLASLapack

/// Runs a fixed list of independent tasks on jacobench's worker threads.
///
/// The partition into tasks is the caller's and never depends on the thread count; every task
/// writes only its own outputs and runs the same code whichever worker takes it. So a
/// computation split into tasks gives the same bits on 1, 2 or 64 threads — the rule behind
/// `--threads` (see ``ThreadSettings``). Workers (`WorkerPool`) take the next task from one
/// atomic counter (no locks, no queue), so uneven tasks balance themselves.
///
/// One worker, or one task, runs the tasks in order on the calling thread: nothing is
/// dispatched and nothing allocated, so single-threaded fits stay allocation-free.
public enum ParallelTasks {
    /// Runs `body(task, worker)` for every task in 0..<`count`, on up to `workers` threads
    /// (the calling thread among them), and returns when all have finished. `worker` is in
    /// 0..<min(workers, count) and no two tasks run on the same worker at once, so per-worker
    /// scratch indexed by it needs no synchronization. While the pool serves another caller
    /// (or from inside a task), the tasks run in order on the calling thread.
    public static func run(count: Int, workers: Int = ThreadSettings.workerCount, _ body: (_ task: Int, _ worker: Int) -> Void) {
        ensureSingleThreadedBLAS()
        let width = min(max(workers, 1), count)
        if width <= 1 {
            for task in 0..<count { body(task, 0) }
            return
        }
        if !WorkerPool.shared.run(count: count, width: width, body) {
            for task in 0..<count { body(task, 0) }
        }
    }

    /// OpenBLAS set to one thread, once, before any task runs: a task's BLAS calls must give the
    /// same bits on one worker as on many, so they may not be split by OpenBLAS's own threads
    /// (whose count a library user's process may leave at all cores), and BLAS calls from
    /// several workers at once must not share OpenBLAS's thread server.
    private static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    /// Sets OpenBLAS to one thread the first time it is called (``singleThreadedBLAS``); kernels
    /// that call BLAS outside their tasks as well (a Cholesky's diagonal tiles) call it first.
    static func ensureSingleThreadedBLAS() { _ = singleThreadedBLAS }
}

