//! The leg limit (the service circle): no leg of a route, the depot legs included, takes
//! longer than the problem's `max_leg`. Reason code `max_leg`; the checker's twin is `max_leg`
//! in `check::route`.

use crate::route::data::Data;

impl Data {
    /// Whether a leg of `time` seconds is within the limit.
    #[inline]
    pub fn leg_fits(&self, time: i64) -> bool {
        time <= self.max_leg
    }
}
