//! Or-opt: move a string of two or three consecutive visits, starting at a visit, next to
//! one of that visit's nearest neighbours on another route. Moves what relocate would have
//! to take apart one visit at a time through worse intermediate plans (a pair of visits
//! in one building, a tight string between two windows).

use crate::route::Data;
use crate::search::local::GRANULARITY;
use crate::search::solution::Solution;

/// Longest string moved.
const MAX_LEN: usize = 3;

/// Applies the best improving move of a string starting at served visit `v` to another
/// route; returns the two routes changed.
pub fn or_opt(data: &Data, sol: &mut Solution, v: usize) -> Option<[usize; 2]> {
    let ra = sol.route_of[v]? as usize;
    let a = &sol.routes[ra];
    let pv = a.position(v)?;
    let mut best: Option<(i64, usize, usize, usize)> = None;
    for k in 2..=MAX_LEN.min(a.len() - pv) {
        let seg = &a.visits[pv..pv + k];
        let Some(gain) = a.replace_delta(data, pv, pv + k, &[], i64::MAX) else { continue };
        for &w in data.neighbours[v].iter().take(GRANULARITY) {
            let Some(rb) = sol.route_of[w as usize].map(|r| r as usize) else { continue };
            if rb == ra || !seg.iter().all(|&x| data.movable_to(rb, x as usize)) {
                continue;
            }
            let b = &sol.routes[rb];
            let Some(pw) = b.position(w as usize) else { continue };
            for q in [pw, pw + 1] {
                let bound = best.map_or(0, |m| m.0) - gain;
                if let Some(delta) = b.replace_delta(data, q, q, seg, bound) {
                    best = Some((delta + gain, k, rb, q));
                }
            }
        }
    }
    let (_, k, rb, q) = best?;
    sol.exchange(data, ra, pv..pv + k, rb, q..q);
    Some([ra, rb])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::local::tests::check_operator;

    #[test]
    fn improves_exactly_and_stays_consistent() {
        check_operator(or_opt);
    }
}
