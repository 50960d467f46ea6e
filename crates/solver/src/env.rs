//! What the caller hands the search: the seed, when to stop, and where to report progress.
//! The solver reads no clock and no global RNG of its own; a stop criterion that looks at the
//! clock is an object the caller chooses.

use crate::model::Plan;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Decides when the search stops.
pub trait StopCriterion: Send {
    /// Called once per search iteration with the number of iterations done so far.
    fn should_stop(&mut self, iterations: u64) -> bool;

    /// The share of the budget spent, from 0 to 1, when the criterion knows its horizon.
    /// The search paces its cooling by it, so a longer budget cools more slowly.
    fn progress(&self, _iterations: u64) -> Option<f64> {
        None
    }
}

/// Stops after a fixed number of iterations: deterministic regardless of machine speed.
#[derive(Clone, Copy, Debug)]
pub struct MaxIterations(pub u64);

impl StopCriterion for MaxIterations {
    fn should_stop(&mut self, iterations: u64) -> bool {
        iterations >= self.0
    }

    /// `u64::MAX` stands for "no iteration limit": no horizon then.
    fn progress(&self, iterations: u64) -> Option<f64> {
        (self.0 != u64::MAX).then(|| (iterations as f64 / self.0.max(1) as f64).min(1.0))
    }
}

/// Stops once a wall-clock budget, counted from construction, is spent.
#[derive(Clone, Copy, Debug)]
pub struct MaxRuntime {
    start: Instant,
    budget: Duration,
}

impl MaxRuntime {
    pub fn new(budget: Duration) -> MaxRuntime {
        MaxRuntime { start: Instant::now(), budget }
    }
}

impl StopCriterion for MaxRuntime {
    fn should_stop(&mut self, _iterations: u64) -> bool {
        self.start.elapsed() >= self.budget
    }

    fn progress(&self, _iterations: u64) -> Option<f64> {
        let budget = self.budget.as_secs_f64();
        Some(if budget > 0.0 {
            (self.start.elapsed().as_secs_f64() / budget).min(1.0)
        } else {
            1.0
        })
    }
}

/// Stops when either criterion says so.
pub struct FirstOf<A, B>(pub A, pub B);

impl<A: StopCriterion, B: StopCriterion> StopCriterion for FirstOf<A, B> {
    fn should_stop(&mut self, iterations: u64) -> bool {
        self.0.should_stop(iterations) || self.1.should_stop(iterations)
    }

    /// The criterion nearer its end paces the search.
    fn progress(&self, iterations: u64) -> Option<f64> {
        match (self.0.progress(iterations), self.1.progress(iterations)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

/// A flag another thread sets to stop the search; the best plan so far is returned.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Called with each new best plan.
pub type ImprovementCallback<'a> = Box<dyn FnMut(&Plan) + Send + 'a>;

/// Everything the search needs from its surroundings.
pub struct Environment<'a> {
    pub seed: u64,
    pub stop: Box<dyn StopCriterion + 'a>,
    pub cancel: CancelToken,
    /// Called with each new best plan, in order of discovery.
    pub on_improvement: Option<ImprovementCallback<'a>>,
    /// Threads the search of one day runs on (`search::together`); 1 searches in place.
    pub threads: usize,
}

impl<'a> Environment<'a> {
    pub fn new(seed: u64, stop: impl StopCriterion + 'a) -> Environment<'a> {
        Environment {
            seed,
            stop: Box::new(stop),
            cancel: CancelToken::new(),
            on_improvement: None,
            threads: 1,
        }
    }

    /// Searches on `threads` threads (at least one).
    pub fn with_threads(mut self, threads: usize) -> Environment<'a> {
        self.threads = threads.max(1);
        self
    }

    pub fn with_cancel(mut self, cancel: CancelToken) -> Environment<'a> {
        self.cancel = cancel;
        self
    }

    pub fn on_improvement(mut self, f: impl FnMut(&Plan) + Send + 'a) -> Environment<'a> {
        self.on_improvement = Some(Box::new(f));
        self
    }
}
