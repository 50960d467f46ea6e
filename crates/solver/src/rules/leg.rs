//! The leg limit (the service circle): no leg of a route, the depot legs included, takes
//! longer than the caregiver's `max_leg` (the problem's, or their own station's in a pool),
//! and none is a leg the travel source has no way for ([`crate::travel::NO_TRAVEL`]). A
//! commute (from or to the caregiver's own place, see [`super::commute`]) is limited by the
//! commute's own limit instead, held in its times. Reason codes `max_leg`, `max_commute` and
//! `no_travel_time`; the checker's twins are `max_leg`, `max_commute` and `no_travel_time` in
//! `check::route`.

use crate::model::ReasonCode;
use crate::route::data::Data;
use crate::travel::NO_TRAVEL;

impl Data {
    /// Whether caregiver `c`'s leg from dense location `from` to `to`, of `time` seconds, is
    /// within their limit (`max_leg` is below [`NO_TRAVEL`], see [`leg_limit`]).
    #[inline(always)]
    pub fn leg_fits(&self, c: usize, from: usize, to: usize, time: i64) -> bool {
        // Most legs are within every caregiver's limit: one comparison with a number in a
        // register on the search's hottest path (measured: 8 % of a Solomon search when each
        // leg read its caregiver's limit).
        time <= self.shortest_max_leg || self.leg_fits_own(c, from, to, time)
    }

    /// [`Data::leg_fits`] past the shortest limit: the caregiver's own limit, or a commute.
    #[inline(never)]
    fn leg_fits_own(&self, c: usize, from: usize, to: usize, time: i64) -> bool {
        time <= self.max_leg[c] || (time < NO_TRAVEL && self.is_commute(c, from, to))
    }

    /// Whether the leg from `from` to `to` is caregiver `c`'s commute.
    #[inline]
    fn is_commute(&self, c: usize, from: usize, to: usize) -> bool {
        (self.commute_start[c] && from == self.cg_start[c])
            || (self.commute_end[c] && to == self.cg_end[c])
    }

    /// The rule the leg breaks, if any.
    #[inline(always)]
    pub fn leg_rule(&self, c: usize, from: usize, to: usize, time: i64) -> Result<(), ReasonCode> {
        match self.leg_fits(c, from, to, time) {
            true => Ok(()),
            false => Err(self.broken_leg_rule(c, from, to, time)),
        }
    }

    #[cold]
    #[inline(never)]
    fn broken_leg_rule(&self, c: usize, from: usize, to: usize, time: i64) -> ReasonCode {
        if self.is_commute(c, from, to) {
            ReasonCode::MaxCommute
        } else if time >= NO_TRAVEL {
            ReasonCode::NoTravelTime
        } else {
            ReasonCode::MaxLeg
        }
    }
}

/// The longest leg a route may take: the limit, and never one with no way.
pub fn leg_limit(max_leg: Option<i64>) -> i64 {
    max_leg.map_or(NO_TRAVEL - 1, |l| l.min(NO_TRAVEL - 1))
}
