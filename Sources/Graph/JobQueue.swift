/// A FIFO of jobs that reuses its storage once drained.
struct JobQueue {
    private var items: [Job] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func push(_ job: Job) { items.append(job) }

    mutating func pop() -> Job? {
        guard head < items.count else { return nil }
        let job = items[head]
        head += 1
        if head == items.count { items.removeAll(keepingCapacity: true); head = 0 }
        return job
    }
}
