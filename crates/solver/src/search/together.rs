//! The search on several threads: one annealing walk per thread, all from the same first
//! solution, in epochs of a fixed number of iterations. At the end of each epoch the walks
//! meet: when one found a better solution than any before, every other walk goes on from it
//! (its current and best solution become that one), the finder walks on. Between meetings
//! the walks diverge by their own random ruins, so the threads search around the best
//! solution found so far instead of running N independent searches.
//!
//! Reproducible: the walks meet after the same iterations whatever the threads' speed, and
//! the winner of a meeting is the cheapest, ties to the lowest thread; with an
//! iteration-based stop the plan depends only on the seed and the number of threads.
//! Iterations are counted for the search as a whole: with `MaxIterations(n)` each of `t`
//! walks makes `n / t` of them, and the cooling is paced by the whole search's progress.

use crate::env::{Environment, MaxIterations, StopCriterion};
use crate::search::driver::fewer_routes;
use crate::search::solution::Solution;
use crate::search::walk::{Ground, Walk};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Barrier, Mutex, PoisonError};

/// Iterations of each walk between two meetings: about 0.1 s on a county station-day, 2 s on
/// a 1,000-visit instance. Measured on G&H 1000 (rc2, r2, r1 `_10_1`, two seeds, 30 s): at
/// 200 or 20 the walks met so often that they moved as one and two threads found no better
/// plans than one; at 2,000 they wander apart between meetings and found 0.3 % less
/// distance on average.
const EPOCH: u64 = 2_000;

/// The caller's stop criterion, shared by the walks: each asks it with the whole search's
/// iterations (its own times the walks').
struct SharedStop<'s, 'a> {
    stop: &'s Mutex<Box<dyn StopCriterion + 'a>>,
    walks: u64,
}

impl StopCriterion for SharedStop<'_, '_> {
    fn should_stop(&mut self, iterations: u64) -> bool {
        let mut stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        stop.should_stop(iterations.saturating_mul(self.walks))
    }

    fn progress(&self, iterations: u64) -> Option<f64> {
        let stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        stop.progress(iterations.saturating_mul(self.walks))
    }
}

/// Where the walks meet: each leaves its new best (if any) in its slot. Slots and the stop
/// flag go by epoch parity, so that a walk that starts the next epoch early never changes
/// what a slower one still reads from the last meeting.
struct Meeting {
    barrier: Barrier,
    slots: [Mutex<Vec<Option<Solution>>>; 2],
    stopped: [AtomicBool; 2],
}

impl Meeting {
    fn new(walks: usize) -> Meeting {
        let slots = || Mutex::new((0..walks).map(|_| None).collect());
        Meeting {
            barrier: Barrier::new(walks),
            slots: [slots(), slots()],
            stopped: [false.into(), false.into()],
        }
    }

    /// Leaves `found` (a new best of walk `w` in `epoch`, or nothing), waits for every walk,
    /// and returns the meeting's cheapest solution with its walk, if any walk found one, and
    /// whether any walk was told to stop.
    fn meet(
        &self,
        epoch: u64,
        w: usize,
        found: Option<Solution>,
    ) -> (Option<(usize, Solution)>, bool) {
        let parity = (epoch % 2) as usize;
        let slots = &self.slots[parity];
        slots.lock().unwrap_or_else(PoisonError::into_inner)[w] = found;
        self.barrier.wait();
        let slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
        let elite = slots
            .iter()
            .enumerate()
            .filter_map(|(k, s)| s.as_ref().map(|s| (k, s)))
            .min_by_key(|(k, s)| (s.cost, *k))
            .map(|(k, s)| (k, s.clone()));
        (elite, self.stopped[parity].load(Ordering::Relaxed))
    }

    fn stop(&self, epoch: u64) {
        self.stopped[(epoch % 2) as usize].store(true, Ordering::Relaxed);
    }
}

/// The search from `start` (after its local search) on `env.threads` walks; calls
/// `improved` with each new best of the whole search, in order, on the caller's thread.
pub fn search(
    ground: &Ground,
    start: Solution,
    rng: &mut ChaCha8Rng,
    env: &mut Environment,
    improved: &mut dyn FnMut(&Solution, &mut Environment),
) -> Solution {
    let walks = env.threads;
    // The walks share the caller's stop; `improved` keeps the rest of `env`.
    let stop = Mutex::new(std::mem::replace(&mut env.stop, Box::new(MaxIterations(0))));
    let meeting = Meeting::new(walks);
    let (seed, cancel) = (env.seed, env.cancel.clone());
    let walk_env = || {
        Environment::new(seed, SharedStop { stop: &stop, walks: walks as u64 })
            .with_cancel(cancel.clone())
    };
    // Each walk its own stream of the caller's generator.
    let mut walkers = (0..walks).map(|w| {
        let mut r = rng.clone();
        r.set_stream(w as u64);
        (walk_env(), r)
    });
    let (mut my_env, mut my_rng) = walkers.next().expect("at least two walks");
    let (start, meeting) = (&start, &meeting);
    let best = std::thread::scope(|scope| {
        let others: Vec<_> = walkers
            .enumerate()
            .map(|(k, (mut e, mut r))| {
                scope.spawn(move || {
                    walk_on(ground, start, &mut r, k + 1, meeting, &mut e, &mut |_, _| {})
                })
            })
            .collect();
        let mut report = |s: &Solution, _: &mut Environment| improved(s, env);
        let best = walk_on(ground, start, &mut my_rng, 0, meeting, &mut my_env, &mut report);
        for other in others {
            // A panic in a walk is a bug: it goes on, as it would on one thread.
            other.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
        best
    });
    drop(my_env);
    env.stop = stop.into_inner().unwrap_or_else(PoisonError::into_inner);
    best
}

/// Walk `w` of the search: the fleet phase on its own, then epochs of the annealing walk
/// with a meeting before each. Every walk returns the same best.
fn walk_on(
    ground: &Ground,
    start: &Solution,
    rng: &mut ChaCha8Rng,
    w: usize,
    meeting: &Meeting,
    env: &mut Environment,
    improved: &mut dyn FnMut(&Solution, &mut Environment),
) -> Solution {
    let (cur, iter) = fewer_routes(ground, start.clone(), rng, env, &mut |_, _| {});
    let mut found = (cur.cost < start.cost).then(|| cur.clone());
    let mut walk = Walk::new(ground, cur, iter);
    let mut record = start.cost;
    for epoch in 0.. {
        let (elite, stopped) = meeting.meet(epoch, w, found.take());
        if let Some((winner, elite)) = elite {
            if elite.cost < record {
                record = elite.cost;
                if winner != w {
                    walk.adopt(&elite);
                }
                improved(&walk.best, env);
            }
        }
        if stopped {
            break;
        }
        for _ in 0..EPOCH {
            if env.stop.should_stop(walk.iter) || env.cancel.is_cancelled() {
                meeting.stop(epoch + 1);
                break;
            }
            walk.step(ground, rng, env.stop.as_ref());
        }
        found = (walk.best.cost < record).then(|| walk.best.clone());
    }
    walk.best
}
