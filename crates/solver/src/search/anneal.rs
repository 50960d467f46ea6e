//! The annealing schedule both searches share. When the stop criterion knows its horizon (a
//! time or iteration budget) the temperature falls geometrically over it, once, as in SISR.
//! Without one it anneals in cycles of doubling length, each restarting from the best
//! solution at a high temperature: any budget then ends near the end of a cooling cycle
//! after at most half its iterations are spent on an unfinished one.

use crate::env::StopCriterion;
use crate::route::SolCost;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Iterations of the first annealing cycle; later cycles double.
const FIRST_CYCLE: u64 = 4_000;

pub struct Anneal {
    /// Temperatures at the start and the end, in objective units.
    start: f64,
    end: f64,
    cycle_start: u64,
    cycle_len: u64,
}

impl Anneal {
    /// Cooling from `start` to `end` from iteration `first_iter` on.
    pub fn new(start: f64, end: f64, first_iter: u64) -> Anneal {
        Anneal { start, end, cycle_start: first_iter, cycle_len: FIRST_CYCLE }
    }

    /// The temperature at `iter`, and whether a new cycle begins (the caller then restarts
    /// from its best solution).
    pub fn temperature(&mut self, stop: &dyn StopCriterion, iter: u64) -> (f64, bool) {
        let (progress, restart) = match stop.progress(iter) {
            Some(p) => (p, false),
            None => {
                let restart = iter - self.cycle_start >= self.cycle_len;
                if restart {
                    self.cycle_start = iter;
                    self.cycle_len *= 2;
                }
                ((iter - self.cycle_start) as f64 / self.cycle_len as f64, restart)
            }
        };
        (self.start * (self.end / self.start).powf(progress), restart)
    }
}

/// Serving more (by priority) always wins; the objective may get worse by a random margin
/// drawn at `temperature` (threshold acceptance with an exponential threshold).
pub fn accept(cand: SolCost, cur: SolCost, temperature: f64, rng: &mut ChaCha8Rng) -> bool {
    let threshold = (temperature * -(1.0 - rng.gen::<f64>()).ln()) as i64;
    cand.unassigned < cur.unassigned
        || (cand.unassigned == cur.unassigned && cand.objective < cur.objective + threshold.max(0))
}
