//! Cross-exchange: swap a string of up to three visits starting at a visit with a string of
//! up to three on another route, placed where one of the visit's nearest neighbours is (the
//! string starting at the neighbour, or just after it). The one-for-one case is [`swap`];
//! this is its generalisation to strings of unequal length, which moves load and time
//! between two full routes.
//!
//! [`swap`]: super::swap

use crate::route::Data;
use crate::search::local::GRANULARITY;
use crate::search::solution::Solution;

/// Longest string taken from either route.
const MAX_LEN: usize = 3;

/// Applies the best improving cross-exchange of a string starting at served visit `v`;
/// returns the two routes changed.
pub fn cross_exchange(data: &Data, sol: &mut Solution, v: usize) -> Option<[usize; 2]> {
    let ra = sol.route_of[v]? as usize;
    let a = &sol.routes[ra];
    let pv = a.position(v)?;
    let mut best: Option<(i64, usize, usize, usize, usize)> = None;
    for &w in data.neighbours[v].iter().take(GRANULARITY) {
        let Some(rb) = sol.route_of[w as usize].map(|r| r as usize) else { continue };
        if rb == ra {
            continue;
        }
        let b = &sol.routes[rb];
        let Some(pw) = b.position(w as usize) else { continue };
        for k in 1..=MAX_LEN.min(a.len() - pv) {
            let seg_a = &a.visits[pv..pv + k];
            if !seg_a.iter().all(|&x| data.movable_to(rb, x as usize)) {
                break;
            }
            for q in [pw, pw + 1] {
                for l in 1..=MAX_LEN.min(b.len().saturating_sub(q)) {
                    if k == 1 && l == 1 {
                        continue;
                    }
                    let seg_b = &b.visits[q..q + l];
                    if !seg_b.iter().all(|&x| data.movable_to(ra, x as usize)) {
                        break;
                    }
                    let Some(da) = a.replace_delta(data, pv, pv + k, seg_b, i64::MAX) else {
                        continue;
                    };
                    let bound = best.map_or(0, |m| m.0) - da;
                    if let Some(db) = b.replace_delta(data, q, q + l, seg_a, bound) {
                        best = Some((da + db, k, rb, q, l));
                    }
                }
            }
        }
    }
    let (_, k, rb, q, l) = best?;
    sol.exchange(data, ra, pv..pv + k, rb, q..q + l);
    Some([ra, rb])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::local::tests::check_operator;

    #[test]
    fn improves_exactly_and_stays_consistent() {
        check_operator(cross_exchange);
    }
}
