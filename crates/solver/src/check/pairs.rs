//! Checks the pick-up-and-delivery pairs: a served delivery with exactly one of its
//! pick-ups, both by the same caregiver, the pick-up first, the delivery starting within the
//! ride-time limit after the pick-up ends, and never more on board than the box holds.

use super::{violation, CheckRule, Violation};
use crate::model::{Plan, Problem, VisitIdx};

/// Where a visit was served: caregiver index, route, position on it, reported start and end.
#[derive(Clone, Copy)]
struct At {
    caregiver: usize,
    stop: usize,
    start: i64,
    end: i64,
}

pub fn check_pairs(problem: &Problem, plan: &Plan, out: &mut Vec<Violation>) {
    if problem.pairs.is_empty() {
        return;
    }
    let mut at: Vec<Option<At>> = vec![None; problem.visits.len()];
    for r in &plan.routes {
        let Some(c) = problem.caregiver_idx(&r.caregiver) else { continue };
        for (k, s) in r.stops.iter().enumerate() {
            if let Some(v) = problem.visit_idx(&s.visit) {
                // Duplicates are reported elsewhere; the first stop counts here.
                at[v.index()].get_or_insert(At {
                    caregiver: c.index(),
                    stop: k,
                    start: s.start.0,
                    end: s.end.0,
                });
            }
        }
        check_box(problem, r, out);
    }
    for pair in &problem.pairs {
        let of = |id: &String| problem.visit_idx(id).and_then(|v| at[v.index()]);
        let delivery = of(&pair.delivery);
        let picked: Vec<(&String, At)> =
            pair.pickups.iter().filter_map(|p| of(p).map(|a| (p, a))).collect();
        let d = Some(pair.delivery.as_str());
        let (pickup_id, pickup, delivery) = match (delivery, picked.as_slice()) {
            (None, []) => continue,
            (Some(_), []) => {
                let msg = "delivered but picked up nowhere".to_string();
                out.push(violation(CheckRule::PairIncomplete, None, d, msg));
                continue;
            }
            (None, [(p, _), ..]) => {
                let msg = format!("picked up at {p} but never delivered");
                out.push(violation(CheckRule::PairIncomplete, None, d, msg));
                continue;
            }
            (Some(_), [_, _, ..]) => {
                let msg = format!("picked up {} times; once is the rule", picked.len());
                out.push(violation(CheckRule::PairIncomplete, None, d, msg));
                continue;
            }
            (Some(delivery), [(p, pickup)]) => (*p, *pickup, delivery),
        };
        if pickup.caregiver != delivery.caregiver {
            let msg = format!(
                "picked up at {pickup_id} by {} but delivered by {}",
                problem.caregivers[pickup.caregiver].id, problem.caregivers[delivery.caregiver].id
            );
            out.push(violation(CheckRule::PairSameCaregiver, None, d, msg));
            continue;
        }
        if pickup.stop > delivery.stop {
            let msg = format!("delivered before its pick-up at {pickup_id}");
            out.push(violation(CheckRule::PickupBeforeDelivery, None, d, msg));
        }
        if let Some(limit) = pair.max_ride {
            let ride = delivery.start - pickup.end;
            if ride > limit.0 {
                let msg = format!(
                    "starts {ride} after the pick-up at {pickup_id} ends, over the limit {limit}"
                );
                out.push(violation(CheckRule::RideTime, None, d, msg));
            }
        }
    }
}

/// The load along one route: the single visits' demand is on board from the start (as in
/// VRPTW) and leaves at each of them; a pair's quantity is on board from its pick-up to its
/// delivery.
fn check_box(problem: &Problem, r: &crate::model::Route, out: &mut Vec<Violation>) {
    let Some(c) = problem.caregiver_idx(&r.caregiver) else { return };
    let Some(capacity) = problem.caregiver(c).capacity else { return };
    let visits: Vec<VisitIdx> =
        r.stops.iter().filter_map(|s| problem.visit_idx(&s.visit)).collect();
    let mut load: i64 = visits
        .iter()
        .filter(|&&v| problem.pair_of(v).is_none())
        .map(|&v| problem.visit(v).demand)
        .sum();
    for &v in &visits {
        match problem.pair_of(v) {
            None => load -= problem.visit(v).demand,
            Some((p, true)) => load += problem.pairs[p].quantity,
            Some((p, false)) => load -= problem.pairs[p].quantity,
        }
        if load > capacity {
            let msg = format!("{load} on board after this stop, over the box's {capacity}");
            let id = Some(problem.visit(v).id.as_str());
            out.push(violation(CheckRule::BoxCapacity, Some(&r.caregiver), id, msg));
            return;
        }
    }
}
