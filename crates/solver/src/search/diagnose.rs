//! Why a visit is unassigned: the first rule that blocks it, judged per skilled caregiver
//! on an otherwise empty route (see `ReasonCode`).

use crate::model::ReasonCode;
use crate::route::data::FREE;
use crate::route::schedule::broken_rule;
use crate::route::Data;

/// Why each visit would be unassigned: its own diagnosis, or `Link` when it could be served
/// alone but not with its partner on another caregiver's route; a meal's delivery as its
/// pair (see [`pair_reason`]).
pub fn reasons(data: &Data) -> Vec<ReasonCode> {
    let own: Vec<ReasonCode> = (0..data.n_visits)
        .map(|v| match data.pair[v] {
            Some((p, false)) => pair_reason(data, p as usize),
            // A pick-up is never listed: its delivery is.
            Some((_, true)) => ReasonCode::NoRoom,
            None => diagnose(data, v),
        })
        .collect();
    (0..data.n_visits)
        .map(|v| {
            let Some(l) = data.link[v] else {
                return own[v];
            };
            let p = l.partner as usize;
            if !matches!(own[v], ReasonCode::NoRoom) {
                return own[v];
            }
            let two_caregivers = (0..data.n_caregivers).any(|c| {
                data.can_serve(c, v)
                    && (0..data.n_caregivers).any(|d| d != c && data.can_serve(d, p))
            });
            if !matches!(own[p], ReasonCode::NoRoom) || !two_caregivers {
                ReasonCode::Link
            } else {
                ReasonCode::NoRoom
            }
        })
        .collect()
}

/// Why a meal pair cannot be served by anyone on an otherwise empty route: the most common
/// rule broken over every caregiver and pick-up, or `NoRoom` if one combination works.
pub fn pair_reason(data: &Data, p: usize) -> ReasonCode {
    let pair = &data.pairs[p];
    let d = pair.delivery as usize;
    if let Some(reason) = data.ineligible[d] {
        return reason;
    }
    let mut counts = [0usize; ReasonCode::ALL.len()];
    let mut any = false;
    for c in (0..data.n_caregivers).filter(|&c| data.can_serve(c, d)) {
        for &u in pair.pickups.iter().filter(|&&u| data.can_serve(c, u as usize)) {
            any = true;
            let round = [(u as usize, FREE), (d, FREE)];
            match broken_rule(data, c, round.into_iter()) {
                None => return ReasonCode::NoRoom,
                Some(code) => count(&mut counts, code),
            }
        }
    }
    if !any {
        return ReasonCode::Skills;
    }
    most_common(&counts)
}

fn count(counts: &mut [usize; ReasonCode::ALL.len()], code: ReasonCode) {
    if let Some(i) = ReasonCode::ALL.iter().position(|&k| k == code) {
        counts[i] += 1;
    }
}

/// The most common blocking rule; ties go to the first in `ReasonCode::ALL`.
fn most_common(counts: &[usize; ReasonCode::ALL.len()]) -> ReasonCode {
    let mut best = 0;
    for i in 1..counts.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    ReasonCode::ALL[best]
}

/// The reason visit `v` cannot be served by anyone on their own, or `NoRoom` if some
/// caregiver could serve it alone (then it was left out for visits of at least the same
/// priority, or the search did not find room).
pub fn diagnose(data: &Data, v: usize) -> ReasonCode {
    if let Some(reason) = data.ineligible[v] {
        return reason;
    }
    let skilled: Vec<usize> = (0..data.n_caregivers).filter(|&c| data.can_serve(c, v)).collect();
    if skilled.iter().all(|&c| data.demand[v] > data.capacity[c]) {
        return ReasonCode::Capacity;
    }
    let mut counts = [0usize; ReasonCode::ALL.len()];
    for &c in &skilled {
        match alone(data, c, v) {
            None => return ReasonCode::NoRoom,
            Some(code) => count(&mut counts, code),
        }
    }
    most_common(&counts)
}

/// The first rule broken when caregiver `c` serves only `v`, or `None` if none is.
pub fn alone(data: &Data, c: usize, v: usize) -> Option<ReasonCode> {
    broken_rule(data, c, std::iter::once((v, FREE)))
}
