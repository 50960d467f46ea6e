//! Independent work on several threads: station-days, their matrices, staffing levels.

/// How `threads` serve `days` independent station-days: how many are planned at once, and
/// on how many threads each day's search runs. Days come first (they share nothing); the
/// threads left over when there are fewer days than threads go into each day's search.
pub fn split(threads: usize, days: usize) -> (usize, usize) {
    let at_once = threads.clamp(1, days.max(1));
    (at_once, (threads / at_once).max(1))
}

/// `work` on each item, `threads` at a time, taken in order; the results in the items'
/// order. One thread works in place.
pub fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(work).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (next, work) = (&next, &work);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(items.len()))
            .map(|_| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(k) else { return done };
                        done.push((k, work(item)));
                    }
                })
            })
            .collect();
        let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
        for worker in workers {
            // A panic in `work` is a bug: it goes on, as it would on one thread.
            let done = worker.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (k, r) in done {
                results[k] = Some(r);
            }
        }
        results.into_iter().flatten().collect()
    })
}
