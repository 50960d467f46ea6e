//! Random removal: diversifies where string removal keeps to one neighbourhood.

use crate::route::Data;
use crate::search::solution::Solution;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Removes up to `count` served visits chosen uniformly at random.
pub fn ruin_random(data: &Data, sol: &mut Solution, rng: &mut ChaCha8Rng, count: usize) {
    let mut served: Vec<u32> =
        (0..data.n_visits as u32).filter(|&v| sol.route_of[v as usize].is_some()).collect();
    let count = count.min(served.len());
    for i in 0..count {
        let j = rng.gen_range(i..served.len());
        served.swap(i, j);
        // A removal that would break its route (non-metric travel times) is skipped.
        sol.try_remove(data, served[i] as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::testutil;

    #[test]
    fn keeps_the_solution_consistent() {
        for seed in 0..20 {
            let (p, t) = testutil::problem(seed, 30);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            let served = data.n_visits - sol.unassigned.len();
            ruin_random(&data, &mut sol, &mut testutil::rng(seed), 5);
            assert!(sol.is_consistent(&data));
            assert!(data.n_visits - sol.unassigned.len() >= served.saturating_sub(5));
            assert!(data.n_visits - sol.unassigned.len() < served || served == 0);
        }
    }
}
