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
}

/// Stops after a fixed number of iterations: deterministic regardless of machine speed.
#[derive(Clone, Copy, Debug)]
pub struct MaxIterations(pub u64);

impl StopCriterion for MaxIterations {
    fn should_stop(&mut self, iterations: u64) -> bool {
        iterations >= self.0
    }
}

/// Stops once a wall-clock budget, counted from construction, is spent.
#[derive(Clone, Copy, Debug)]
pub struct MaxRuntime {
    deadline: Instant,
}

impl MaxRuntime {
    pub fn new(budget: Duration) -> MaxRuntime {
        MaxRuntime { deadline: Instant::now() + budget }
    }
}

impl StopCriterion for MaxRuntime {
    fn should_stop(&mut self, _iterations: u64) -> bool {
        Instant::now() >= self.deadline
    }
}

/// Stops when either criterion says so.
pub struct FirstOf<A, B>(pub A, pub B);

impl<A: StopCriterion, B: StopCriterion> StopCriterion for FirstOf<A, B> {
    fn should_stop(&mut self, iterations: u64) -> bool {
        self.0.should_stop(iterations) || self.1.should_stop(iterations)
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
}

impl<'a> Environment<'a> {
    pub fn new(seed: u64, stop: impl StopCriterion + 'a) -> Environment<'a> {
        Environment { seed, stop: Box::new(stop), cancel: CancelToken::new(), on_improvement: None }
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
