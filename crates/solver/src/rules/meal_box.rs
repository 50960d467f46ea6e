//! The box: the single visits' demand is on board from the start (as in VRPTW) and leaves at
//! each of them; a meal pair's quantity is on board from its pick-up to its delivery; never
//! more than the caregiver's box holds. Reason code `box_capacity`; the checker's twin is
//! `box_capacity` in `check::pairs`.

use crate::model::ReasonCode;
use crate::route::data::Data;

/// Whether caregiver `c`'s box holds the load along `seq` (visits with their pins).
pub fn holds(data: &Data, c: usize, seq: &[(usize, i64)]) -> Result<(), ReasonCode> {
    let mut load: i64 = seq.iter().map(|&(v, _)| data.demand[v]).sum();
    for &(v, _) in seq {
        match data.pair[v] {
            None => load -= data.demand[v],
            Some((p, true)) => {
                load += data.pairs[p as usize].quantity;
                if load > data.capacity[c] {
                    return Err(ReasonCode::BoxCapacity);
                }
            }
            Some((p, false)) => load -= data.pairs[p as usize].quantity,
        }
    }
    Ok(())
}
