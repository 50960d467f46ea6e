//! The commute: a caregiver who starts at home (or ends there) travels from their own place
//! to the first visit and from the last visit to their own place. That leg is limited by the
//! caregiver's `max` commute, not by the service circle; unpaid, it lies outside the shift and
//! the working time. Reason code `max_commute`; the checker's twin is `max_commute` in
//! `check::route` (with the shift and route-duration checks that leave an unpaid commute out).
//!
//! The search sees a commute through its times alone: each commuting caregiver's start and end
//! get dense locations of their own, whose rows hold the commute's times — `NO_TRAVEL` past the
//! limit, 0 when unpaid (the schedule then starts the shift at the first visit and ends it at
//! the last; the plan adds the real legs back around it, see `search::output`) — while the
//! arc costs keep the real travel, so the objective still counts it. A caregiver starting at
//! the station has no commute: every leg of their route is limited by the circle as before.

use crate::model::{Commute, Problem};
use crate::travel::NO_TRAVEL;
use crate::LocationIdx;

/// The dense locations of the commuters' own places.
pub(crate) struct Places {
    /// Per caregiver: the dense location of their own start and end, if they commute.
    own: Vec<(Option<usize>, Option<usize>)>,
    /// Per dense location from `first`: the model location it stands for and its commute.
    points: Vec<(LocationIdx, Commute)>,
    first: usize,
}

impl Places {
    /// Places numbered from `first` (the number of shared dense locations).
    pub(crate) fn new(problem: &Problem, first: usize) -> Places {
        let mut points = Vec::new();
        let mut own = Vec::with_capacity(problem.caregivers.len());
        for c in &problem.caregivers {
            let mut place = |on: bool, at: LocationIdx| {
                let commute = c.commute.filter(|_| on)?;
                points.push((at, commute));
                Some(first + points.len() - 1)
            };
            let start = place(c.commutes_from_start(), c.start);
            let end = place(c.commutes_to_end(), c.end);
            own.push((start, end));
        }
        Places { own, points, first }
    }

    /// The model locations of the places, in dense order.
    pub(crate) fn points(&self) -> impl Iterator<Item = LocationIdx> + '_ {
        self.points.iter().map(|p| p.0)
    }

    pub(crate) fn start(&self, c: usize) -> Option<usize> {
        self.own[c].0
    }

    pub(crate) fn end(&self, c: usize) -> Option<usize> {
        self.own[c].1
    }

    /// The search's time of the leg between dense locations `from` and `to` whose travel
    /// takes `real`: a leg from or to a commuter's place is the commute's, else `real`.
    pub(crate) fn leg_time(&self, from: usize, to: usize, real: i64) -> i64 {
        let place = |i: usize| i.checked_sub(self.first).and_then(|k| self.points.get(k));
        match place(from).or(place(to)) {
            Some(&(_, commute)) => commute_time(commute, real),
            None => real,
        }
    }
}

/// What a commute leg of `real` seconds takes in the search: no way past the limit, nothing
/// of the working day when unpaid.
fn commute_time(commute: Commute, real: i64) -> i64 {
    if real >= NO_TRAVEL || commute.max.is_some_and(|m| real > m.0) {
        NO_TRAVEL
    } else if commute.paid {
        real
    } else {
        0
    }
}
