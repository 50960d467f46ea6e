//! Entry points for the criterion benchmarks into the search's internals (hidden from the
//! documentation; not an API). They let `benches/` time move evaluation on its own.

use crate::model::Problem;
use crate::route::Data;
use crate::search::construct::construct;
use crate::search::local;
use crate::search::solution::Solution;
use crate::travel::TravelTimes;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A problem's prepared data and its first (cheapest-insertion) solution.
pub struct MoveFixture {
    data: Data,
    sol: Solution,
}

impl MoveFixture {
    pub fn new(problem: &Problem, travel: &dyn TravelTimes) -> MoveFixture {
        let data = Data::new(problem, travel);
        let hopeless = vec![false; data.n_visits];
        let sol = construct(&data, &mut ChaCha8Rng::seed_from_u64(1), &hopeless);
        MoveFixture { data, sol }
    }

    /// How many insertion evaluations [`MoveFixture::evaluate_all_insertions`] makes.
    pub fn insertion_count(&self) -> usize {
        let served = self.data.n_visits - self.sol.unassigned.len();
        let positions: usize = self.sol.routes.iter().map(|r| r.len() + 1).sum();
        served * positions
    }

    /// Evaluates inserting every served visit at every position of every route (the
    /// recreate's inner loop, without pruning); returns the number feasible.
    pub fn evaluate_all_insertions(&self) -> usize {
        let mut feasible = 0;
        for v in 0..self.data.n_visits {
            if self.sol.route_of[v].is_none() {
                continue;
            }
            for route in &self.sol.routes {
                for p in 0..=route.len() {
                    feasible += usize::from(
                        route.insertion_delta_below(&self.data, v, p, i64::MAX).is_some(),
                    );
                }
            }
        }
        feasible
    }

    /// Runs the local search (every operator) from the first solution to a local optimum;
    /// returns the objective reached.
    pub fn local_search(&self) -> i64 {
        let mut sol = self.sol.clone();
        local::improve(&self.data, &mut sol);
        sol.cost.objective
    }
}
