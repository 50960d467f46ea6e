//! Swap: exchange a visit with one of its nearest neighbours on another route, each taking
//! the other's place. Catches what two relocates cannot do one at a time, when neither route
//! has room for a third visit. Both halves are O(1) checks from the route caches.

use crate::route::Data;
use crate::search::local::GRANULARITY;
use crate::search::solution::Solution;

/// Applies the best improving swap of served visit `v` with one of its nearest neighbours;
/// returns the two routes changed.
pub fn swap(data: &Data, sol: &mut Solution, v: usize) -> Option<[usize; 2]> {
    let ra = sol.route_of[v]? as usize;
    let pv = sol.routes[ra].position(v)?;
    let mut best: Option<(i64, usize, usize)> = None;
    for &w in data.neighbours[v].iter().take(GRANULARITY) {
        let Some(rb) = sol.route_of[w as usize].map(|r| r as usize) else { continue };
        if rb == ra || !data.movable_to(ra, w as usize) || !data.movable_to(rb, v) {
            continue;
        }
        let (a, b) = (&sol.routes[ra], &sol.routes[rb]);
        let Some(pw) = b.position(w as usize) else { continue };
        let bound = best.map_or(0, |m| m.0);
        let Some(da) = a.replace_delta(data, pv, pv + 1, &[w], i64::MAX) else { continue };
        let Some(db) = b.replace_delta(data, pw, pw + 1, &[v as u32], bound - da) else {
            continue;
        };
        best = Some((da + db, rb, pw));
    }
    let (_, rb, pw) = best?;
    sol.exchange(data, ra, pv..pv + 1, rb, pw..pw + 1);
    Some([ra, rb])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::local::tests::check_operator;

    #[test]
    fn improves_exactly_and_stays_consistent() {
        check_operator(swap);
    }
}
