//! Why a visit is unassigned: the first rule that blocks it, judged per skilled caregiver
//! on an otherwise empty route (see `ReasonCode`).

use crate::eval::Data;
use crate::model::ReasonCode;

/// Why each visit would be unassigned: its own diagnosis, or `Link` when it could be served
/// alone but not with its partner on another caregiver's route.
pub fn reasons(data: &Data) -> Vec<ReasonCode> {
    let own: Vec<ReasonCode> = (0..data.n_visits).map(|v| diagnose(data, v)).collect();
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
            Some(code) => {
                if let Some(i) = ReasonCode::ALL.iter().position(|&k| k == code) {
                    counts[i] += 1;
                }
            }
        }
    }
    // The most common blocking rule; ties go to the first in `ReasonCode::ALL`.
    let mut best = 0;
    for i in 1..counts.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    ReasonCode::ALL[best]
}

/// The first rule broken when caregiver `c` serves only `v`, or `None` if none is.
pub fn alone(data: &Data, c: usize, v: usize) -> Option<ReasonCode> {
    if data.demand[v] > data.capacity[c] {
        return Some(ReasonCode::Capacity);
    }
    let slot = data.cg_slot[c];
    let here = data.visit_loc[v];
    let out = data.time(slot, data.cg_start[c], here);
    let back = data.time(slot, here, data.cg_end[c]);
    if out > data.max_leg || back > data.max_leg {
        return Some(ReasonCode::MaxLeg);
    }
    let Some(start) = data.start_at(v, data.shift_start[c] + out) else {
        return Some(ReasonCode::TimeWindow);
    };
    let return_time = start + data.duration_for(c, v) + back;
    if return_time > data.shift_end[c] {
        return Some(ReasonCode::Shift);
    }
    if data.brk[c].is_some() {
        // The break before leaving, or before the way back.
        let before = data
            .past_break(c, data.shift_start[c])
            .and_then(|t| data.start_at(v, t + out))
            .is_some_and(|s| s + data.duration_for(c, v) + back <= data.shift_end[c]);
        let after = data
            .past_break(c, start + data.duration_for(c, v))
            .is_some_and(|t| t + back <= data.shift_end[c]);
        if !before && !after {
            return Some(ReasonCode::Break);
        }
    }
    if let Some(limit) = data.max_duration[c] {
        let departure = data.shift_start[c].max(start - out);
        if return_time - departure > limit {
            return Some(ReasonCode::RouteDuration);
        }
    }
    None
}
