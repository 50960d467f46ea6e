//! The daily route limit: from departure to return at most the caregiver's route duration.
//! Reason code `route_duration`; the checker's twin is `route_duration` in `check::route`.

use crate::model::ReasonCode;
use crate::route::data::Data;

/// Whether a day from `departure` to `return_time` stays within caregiver `c`'s limit.
pub fn within(data: &Data, c: usize, departure: i64, return_time: i64) -> Result<(), ReasonCode> {
    match data.max_duration[c] {
        Some(limit) if return_time - departure > limit => Err(ReasonCode::RouteDuration),
        _ => Ok(()),
    }
}
