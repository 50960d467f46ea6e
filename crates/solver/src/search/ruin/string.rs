//! Adjacent string removal (SISR, Christiaens & Vanden Berghe 2020): from a random seed
//! visit, walk its nearest neighbours and cut a short string of consecutive visits out of
//! each route met, until a few routes are cut. Removing neighbours in space and in
//! sequence frees room that the greedy recreate can fill in a better order.

use crate::route::Data;
use crate::search::solution::Solution;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Longest string cut from one route (SISR's L^max).
const MAX_STRING: usize = 10;

/// Removes about `avg_removed` visits as strings around a random served visit.
pub fn ruin_strings(data: &Data, sol: &mut Solution, rng: &mut ChaCha8Rng, avg_removed: usize) {
    let used: Vec<usize> = sol.routes.iter().filter(|r| !r.is_empty()).map(|r| r.len()).collect();
    if used.is_empty() {
        return;
    }
    let avg_len = used.iter().sum::<usize>() / used.len();
    let max_len = MAX_STRING.min(avg_len).max(1);
    let max_strings = ((4 * avg_removed) as f64 / (1 + max_len) as f64 - 1.0).max(1.0);
    let strings = rng.gen_range(1.0..max_strings + 1.0) as usize;
    // A served seed visit: pick a random used route, then a random visit on it.
    let seed = {
        let routes: Vec<usize> =
            (0..sol.routes.len()).filter(|&r| !sol.routes[r].is_empty()).collect();
        let r = routes[rng.gen_range(0..routes.len())];
        let route = &sol.routes[r].visits;
        route[rng.gen_range(0..route.len())] as usize
    };
    let mut cut: Vec<usize> = Vec::with_capacity(strings);
    let walk = std::iter::once(seed as u32).chain(data.neighbours[seed].iter().copied());
    // Collected first: cutting a route changes `sol` while the walk goes on.
    let walk: Vec<u32> = walk.collect();
    for v in walk {
        if cut.len() >= strings {
            break;
        }
        let v = v as usize;
        let Some(r) = sol.route_of[v].map(|r| r as usize) else {
            continue;
        };
        if cut.contains(&r) {
            continue;
        }
        cut.push(r);
        let len = sol.routes[r].len();
        let Some(at) = sol.routes[r].position(v) else {
            continue;
        };
        let l = rng.gen_range(1..=max_len.min(len));
        // A string of length l containing position `at`, placed at random.
        let lo = at.saturating_sub(l - 1);
        let hi = at.min(len - l);
        let from = rng.gen_range(lo..=hi);
        // The string's visits are taken first: removing a meal's delivery takes its
        // pick-up off this route too. Removals that would break a route (non-metric travel
        // times) are skipped.
        let string: Vec<u32> = sol.routes[r].visits[from..from + l].to_vec();
        for v in string.into_iter().rev() {
            if sol.route_of[v as usize].is_some() {
                sol.try_remove(data, v as usize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::testutil;

    #[test]
    fn removes_something_and_keeps_the_solution_consistent() {
        for seed in 0..20 {
            let (p, t) = testutil::problem(seed, 30);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            let before = sol.unassigned.len();
            ruin_strings(&data, &mut sol, &mut testutil::rng(seed), 8);
            assert!(sol.is_consistent(&data));
            assert!(sol.unassigned.len() > before || before == data.n_visits);
        }
    }
}
