//! One annealing walk of the ruin-and-recreate search: its current solution, its best and its
//! cooling. The search on one thread is one walk; on several threads, one walk per thread
//! (`search::together`).

use crate::env::StopCriterion;
use crate::route::Data;
use crate::search::anneal::{accept, Anneal};
use crate::search::local;
use crate::search::recreate::recreate;
use crate::search::ruin::{ruin_random, ruin_strings};
use crate::search::solution::Solution;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Start and end temperature, as multiples of the mean arc cost of the first solution.
/// Measured on 8 hard Solomon instances at 10 s: (0.3, 0.003) left R207/R211 8-9 % above
/// the best known, (3, 0.01) found both; a hotter start escapes long routes' local optima.
const T_START: f64 = 3.0;
const T_END: f64 = 0.01;
/// Share of ruins that remove random visits instead of strings.
const RANDOM_RUIN: f64 = 0.1;
/// Local search runs on accepted solutions this close to the best (fraction of its cost).
const LOCAL_SEARCH_MARGIN: f64 = 0.02;

/// What every walk of one search shares: the day and how much a ruin removes.
pub struct Ground<'d> {
    pub data: &'d Data,
    pub hopeless: &'d [bool],
    pub avg_removed: usize,
    /// The mean arc cost of the first solution: the scale of the temperatures.
    pub mean_arc: f64,
}

pub struct Walk {
    pub cur: Solution,
    cand: Solution,
    pub best: Solution,
    anneal: Anneal,
    /// Iterations done, the phases before this one included.
    pub iter: u64,
}

impl Walk {
    /// A walk from `start`, cooling from iteration `iter` on.
    pub fn new(ground: &Ground, start: Solution, iter: u64) -> Walk {
        let anneal = Anneal::new(ground.mean_arc * T_START, ground.mean_arc * T_END, iter);
        Walk { cand: start.clone(), best: start.clone(), cur: start, anneal, iter }
    }

    /// One ruin and recreate; true when it found a new best.
    pub fn step(
        &mut self,
        ground: &Ground,
        rng: &mut ChaCha8Rng,
        stop: &dyn StopCriterion,
    ) -> bool {
        let data = ground.data;
        let (temperature, restart) = self.anneal.temperature(stop, self.iter);
        if restart {
            self.cur.clone_from(&self.best);
        }
        self.iter += 1;

        let cand = &mut self.cand;
        cand.clone_from(&self.cur);
        if rng.gen_bool(RANDOM_RUIN) {
            ruin_random(data, cand, rng, ground.avg_removed);
        } else {
            ruin_strings(data, cand, rng, ground.avg_removed);
        }
        recreate(data, cand, rng, ground.hopeless);
        debug_assert!(cand.is_consistent(data));

        if !accept(cand.cost, self.cur.cost, temperature, rng) {
            return false;
        }
        let best = &self.best;
        if (cand.cost.objective as f64) < best.cost.objective as f64 * (1.0 + LOCAL_SEARCH_MARGIN)
            || cand.cost.unassigned < best.cost.unassigned
        {
            let changed: Vec<usize> = (0..cand.routes.len())
                .filter(|&r| cand.routes[r].visits != self.cur.routes[r].visits)
                .collect();
            local::improve_routes(data, cand, &changed);
        }
        std::mem::swap(&mut self.cur, &mut self.cand);
        if self.cur.cost < self.best.cost {
            self.best.clone_from(&self.cur);
            return true;
        }
        false
    }

    /// Goes on from `elite`, another walk's best.
    pub fn adopt(&mut self, elite: &Solution) {
        self.cur.clone_from(elite);
        self.best.clone_from(elite);
    }
}
