//! Jobs in this process's memory: the embedded default (SQLite, one process). Jobs are lost
//! with the process; on start it pushes the day's queued plans again (their rows say so).

use super::{Job, QueueError, Receipt, SolveQueue, Taken};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct InProcessQueue {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Each job with how often it was delivered.
    waiting: Mutex<VecDeque<(Job, i64)>>,
    arrived: Notify,
    /// Taken and not yet done.
    working: AtomicU64,
}

impl Inner {
    fn put(&self, job: Job, deliveries: i64) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.push_back((job, deliveries));
        }
        self.arrived.notify_one();
    }

    fn next(&self) -> Option<(Job, i64)> {
        self.waiting.lock().ok()?.pop_front()
    }
}

struct InProcessReceipt {
    inner: Arc<Inner>,
    job: Job,
    deliveries: i64,
}

impl Receipt for InProcessReceipt {
    fn progress(&self) -> BoxFuture<'_, Result<(), QueueError>> {
        async { Ok(()) }.boxed()
    }

    fn done(self: Box<Self>) -> BoxFuture<'static, Result<(), QueueError>> {
        self.inner.working.fetch_sub(1, Ordering::Relaxed);
        async { Ok(()) }.boxed()
    }

    fn hand_back(self: Box<Self>, delay: Duration) -> BoxFuture<'static, Result<(), QueueError>> {
        let InProcessReceipt { inner, job, deliveries } = *self;
        inner.working.fetch_sub(1, Ordering::Relaxed);
        async move {
            tokio::time::sleep(delay).await;
            inner.put(job, deliveries);
            Ok(())
        }
        .boxed()
    }
}

impl SolveQueue for InProcessQueue {
    fn push(&self, job: &Job) -> BoxFuture<'_, Result<(), QueueError>> {
        self.inner.put(job.clone(), 0);
        async { Ok(()) }.boxed()
    }

    fn take(&self, wait: Duration) -> BoxFuture<'_, Result<Option<Taken>, QueueError>> {
        async move {
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                // Registered before looking, so a push in between is not missed.
                let arrived = self.inner.arrived.notified();
                if let Some((job, deliveries)) = self.inner.next() {
                    self.inner.working.fetch_add(1, Ordering::Relaxed);
                    let receipt = InProcessReceipt {
                        inner: self.inner.clone(),
                        job: job.clone(),
                        deliveries: deliveries + 1,
                    };
                    return Ok(Some(Taken {
                        job: Ok(job),
                        deliveries: deliveries + 1,
                        receipt: Box::new(receipt),
                    }));
                }
                if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                    return Ok(None);
                }
            }
        }
        .boxed()
    }

    fn depth(&self) -> BoxFuture<'_, Result<u64, QueueError>> {
        let waiting = self.inner.waiting.lock().map_or(0, |w| w.len() as u64);
        let working = self.inner.working.load(Ordering::Relaxed);
        async move { Ok(waiting + working) }.boxed()
    }

    fn kind(&self) -> &'static str {
        "in-process"
    }

    fn is_in_process(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Work;

    #[tokio::test]
    async fn jobs_come_in_order_and_a_handed_back_one_comes_again() {
        let queue = InProcessQueue::default();
        assert!(queue.take(Duration::from_millis(10)).await.expect("take").is_none());
        for plan in [1, 2] {
            queue.push(&Job::new(Work::Plan { plan })).await.expect("push");
        }
        let first = queue.take(Duration::ZERO).await.expect("take").expect("a job");
        assert_eq!(first.job.as_ref().map(|j| j.work.clone()), Ok(Work::Plan { plan: 1 }));
        assert_eq!(queue.depth().await.expect("depth"), 2);
        first.receipt.hand_back(Duration::ZERO).await.expect("hand back");
        let second = queue.take(Duration::ZERO).await.expect("take").expect("a job");
        assert_eq!(second.job.map(|j| j.work), Ok(Work::Plan { plan: 2 }));
        second.receipt.done().await.expect("done");
        let again = queue.take(Duration::ZERO).await.expect("take").expect("a job");
        assert_eq!((again.job.map(|j| j.work), again.deliveries), (Ok(Work::Plan { plan: 1 }), 2));
        again.receipt.done().await.expect("done");
        assert_eq!(queue.depth().await.expect("depth"), 0);
    }

    #[tokio::test]
    async fn a_waiting_worker_wakes_on_a_push() {
        let queue = Arc::new(InProcessQueue::default());
        let taker = queue.clone();
        let waiting = tokio::spawn(async move { taker.take(Duration::from_secs(30)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        queue.push(&Job::new(Work::Plan { plan: 9 })).await.expect("push");
        let taken = waiting.await.expect("join").expect("take").expect("a job");
        assert_eq!(taken.job.map(|j| j.work), Ok(Work::Plan { plan: 9 }));
    }
}
