//! Relocate: move one visit to its cheapest position in another route, or into the plan if
//! it was unassigned. The exact cost change is the removal gain plus the insertion cost,
//! both O(1) from the route caches.

use crate::eval::Data;
use crate::search::solution::Solution;

/// One pass over all served visits; returns whether anything improved.
pub fn relocate_pass(data: &Data, sol: &mut Solution) -> bool {
    let mut improved = false;
    for v in 0..data.n_visits {
        let Some(from) = sol.route_of[v].map(|r| r as usize) else {
            continue;
        };
        let Some(p) = sol.routes[from].position(v) else {
            continue;
        };
        let Some(gain) = sol.routes[from].removal_delta(data, p) else {
            continue;
        };
        let mut best: Option<(i64, usize, usize)> = None;
        for (r, route) in sol.routes.iter().enumerate() {
            // Moving into an empty route only pays when routes are free; skip the noise.
            if r == from || route.is_empty() || !data.can_serve(r, v) {
                continue;
            }
            for q in 0..=route.len() {
                if let Some(delta) = route.insertion_delta(data, v, q) {
                    if delta + gain < best.map_or(0, |b| b.0) {
                        best = Some((delta + gain, r, q));
                    }
                }
            }
        }
        if let Some((_, r, q)) = best {
            sol.remove(data, from, p);
            sol.insert(data, v, r, q);
            improved = true;
        }
    }
    improved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::testutil;

    #[test]
    fn never_worsens_and_stays_consistent() {
        for seed in 0..20 {
            let (p, t) = testutil::problem(seed, 30);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            let before = sol.cost;
            while relocate_pass(&data, &mut sol) {
                assert!(sol.is_consistent(&data));
            }
            assert!(sol.cost <= before);
        }
    }
}
