//! The lunch break: taken inside its window, for its duration, wherever the caregiver is
//! between two visits (or before leaving, or before the way back); the schedule chooses the
//! gap. Reason code `break`; the checker's twin is `break` in `check::route`.

use crate::route::data::Data;

/// Where caregiver `c`'s lunch break goes in `seq`: the gap (before visit `gap`, or before
/// the way back when `gap == len`) after which the caregiver is free soonest. Free times move
/// monotonically through a route, so the break that frees the caregiver soonest at one gap
/// does so at every later gap: one forward pass with two states (break not yet taken,
/// taken) finds a place whenever there is one. `Some(None)` for an empty route (no break
/// needed), `None` if no gap fits. Only gaps `allowed` are considered (a meal round keeps
/// the break out of its rides: nobody lunches with hot food in the box).
pub fn break_gap(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)>,
    allowed: impl Fn(usize) -> bool,
) -> Option<Option<usize>> {
    let (open, close, duration) = data.brk[c]?;
    let take = |t: i64| {
        let start = t.max(open);
        (start <= close).then_some(start + duration)
    };
    let slot = data.cg_slot[c];
    let mut loc = data.cg_start[c];
    let mut before = Some(data.shift_start[c]);
    let mut after: Option<(i64, usize)> =
        take(data.shift_start[c]).filter(|_| allowed(0)).map(|t| (t, 0));
    let mut gap = 0;
    for (v, pin) in seq {
        let to = data.visit_loc[v];
        let leg = data.time(slot, loc, to);
        let through =
            |t: i64| data.start_pinned(v, t + leg, pin).map(|s| s + data.duration_for(c, v));
        before = before.and_then(through);
        gap += 1;
        let carried = after.and_then(|(t, at)| through(t).map(|e| (e, at)));
        let fresh = before.and_then(take).filter(|_| allowed(gap)).map(|t| (t, gap));
        after = match (carried, fresh) {
            (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
            (x, y) => x.or(y),
        };
        loc = to;
    }
    if gap == 0 {
        return Some(None);
    }
    after.map(|(_, at)| Some(at))
}
