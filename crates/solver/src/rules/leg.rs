//! The leg limit (the service circle): no leg of a route, the depot legs included, takes
//! longer than the problem's `max_leg`, and none is a leg the travel source has no way for
//! ([`crate::travel::NO_TRAVEL`]). Reason codes `max_leg` and `no_travel_time`; the checker's
//! twins are `max_leg` and `no_travel_time` in `check::route`.

use crate::model::ReasonCode;
use crate::route::data::Data;
use crate::travel::NO_TRAVEL;

impl Data {
    /// Whether a leg of `time` seconds is within the limit (`max_leg` is below
    /// [`NO_TRAVEL`], see [`leg_limit`]).
    #[inline]
    pub fn leg_fits(&self, time: i64) -> bool {
        time <= self.max_leg
    }

    /// The rule a leg of `time` seconds breaks, if any.
    #[inline]
    pub fn leg_rule(&self, time: i64) -> Result<(), ReasonCode> {
        if self.leg_fits(time) {
            Ok(())
        } else if time >= NO_TRAVEL {
            Err(ReasonCode::NoTravelTime)
        } else {
            Err(ReasonCode::MaxLeg)
        }
    }
}

/// The longest leg a route may take: the problem's limit, and never one with no way.
pub fn leg_limit(max_leg: Option<i64>) -> i64 {
    max_leg.map_or(NO_TRAVEL - 1, |l| l.min(NO_TRAVEL - 1))
}
