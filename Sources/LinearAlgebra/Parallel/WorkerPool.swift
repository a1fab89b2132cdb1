import Foundation
import Synchronization

/// The threads behind ``ParallelTasks``: started on first use, kept for the life of the
/// process, and hot between the many short parallel sections of an LM iteration (a Cholesky
/// panel, one sample block's rows), where starting dispatch workers for each section cost more
/// than the section itself.
///
/// One job at a time: a caller that finds the pool busy (another thread's job, or a task that
/// asks for parallel work itself) runs its tasks alone — the same bits, since a partition never
/// depends on who runs it. A job is a small object holding the caller's task body, the task
/// count and two counters: the next unclaimed task and the tasks finished. The caller takes tasks
/// too and returns once all are finished; a worker that arrives late finds nothing to claim and
/// never calls the body. Idle workers poll the job generation briefly, then sleep on a
/// condition the caller signals only when someone sleeps.
final class WorkerPool: @unchecked Sendable {
    /// The pool every ``ParallelTasks`` call shares.
    static let shared = WorkerPool()

    /// How long an idle worker that just worked keeps polling before it sleeps: long enough to
    /// bridge the serial gaps inside an LM iteration, short enough not to matter otherwise.
    private static let spinNanoseconds: UInt64 = 200_000

    private final class Job: @unchecked Sendable {
        /// The caller's body, borrowed: a late worker may keep the job object after the caller
        /// returned, but then it claims no task and never reads this pointer.
        let body: UnsafePointer<(Int, Int) -> Void>
        let count: Int
        let width: Int
        let nextTask = Atomic<Int>(0)
        let finishedTasks = Atomic<Int>(0)
        let nextWorker = Atomic<Int>(1)

        init(body: UnsafePointer<(Int, Int) -> Void>, count: Int, width: Int) {
            self.body = body
            self.count = count
            self.width = width
        }

        /// Claims and runs tasks until none is left.
        func work(as worker: Int) {
            while true {
                let task = nextTask.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
                if task >= count { return }
                body.pointee(task, worker)
                finishedTasks.wrappingAdd(1, ordering: .acquiringAndReleasing)
            }
        }
    }

    private let busy = Atomic<Bool>(false)
    private let generation = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let current = Mutex<Job?>(nil)
    private let wakeUp = NSCondition()
    private let threadCount = Mutex<Int>(0)

    /// Runs `body` for tasks 0..<count on `width` workers (the caller as worker 0); false, with
    /// nothing run, when the pool is busy.
    func run(count: Int, width: Int, _ body: (Int, Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        ensureThreads(width - 1)
        withoutActuallyEscaping(body) { escapable in withUnsafePointer(to: escapable) { borrowed in
            let job = Job(body: borrowed, count: count, width: width)
            current.withLock { $0 = job }
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wakeUp.lock()
                wakeUp.broadcast()
                wakeUp.unlock()
            }
            job.work(as: 0)
            while job.finishedTasks.load(ordering: .acquiring) < count {}
            current.withLock { $0 = nil }
        } }
        return true
    }

    /// Starts threads until the pool has `wanted` (OpenBLAS is on one thread by then:
    /// ``ParallelTasks``).
    private func ensureThreads(_ wanted: Int) {
        threadCount.withLock { count in
            while count < wanted {
                let thread = Thread { [self] in loop() }
                thread.name = "jacobench-worker"
                thread.start()
                count += 1
            }
        }
    }

    /// A worker: wait for a new generation, join its job if there are seats left, repeat. A
    /// worker that just took part polls (yielding the core) for ``spinNanoseconds``; one that
    /// found no seat goes straight to sleep.
    private func loop() {
        var seen = generation.load(ordering: .sequentiallyConsistent)
        var polls = false
        while true {
            let deadline = DispatchTime.now().uptimeNanoseconds + (polls ? Self.spinNanoseconds : 0)
            while generation.load(ordering: .sequentiallyConsistent) == seen {
                if polls && DispatchTime.now().uptimeNanoseconds < deadline {
                    sched_yield()
                    continue
                }
                wakeUp.lock()
                sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { wakeUp.wait() }
                sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                wakeUp.unlock()
            }
            seen = generation.load(ordering: .sequentiallyConsistent)
            polls = false
            guard let job = current.withLock({ $0 }) else { continue }
            let seat = job.nextWorker.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
            if seat < job.width {
                job.work(as: seat)
                polls = true
            }
        }
    }
}
