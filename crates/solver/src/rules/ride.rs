//! Ride time (hot food): a meal's delivery starts within the pair's limit after its pick-up
//! ends, judged on the schedule the plan reports (just in time). Reason code `ride_time`; the
//! checker's twin is `ride_time` in `check::pairs`.

use crate::model::ReasonCode;
use crate::route::data::Data;

/// Whether every `(delivery, pick-up)` position pair of `seq`, started at `start`, rides
/// within its limit when caregiver `c` serves it.
pub fn within(
    data: &Data,
    c: usize,
    seq: &[(usize, i64)],
    start: &[i64],
    rides: &[(usize, usize)],
) -> Result<(), ReasonCode> {
    for &(delivery, pickup) in rides {
        let ride = start[delivery] - start[pickup] - data.duration_for(c, seq[pickup].0);
        if let Some((p, _)) = data.pair[seq[delivery].0] {
            if ride > data.pairs[p as usize].max_ride {
                return Err(ReasonCode::RideTime);
            }
        }
    }
    Ok(())
}
