//! Capacity (plain VRPTW days): the demand of a route's visits fits the caregiver's capacity.
//! Reason code `capacity`; the checker's twin is `capacity` in `check::route`.

use crate::route::data::Data;

impl Data {
    /// Whether `load` fits caregiver `c`'s capacity.
    #[inline]
    pub fn fits_capacity(&self, c: usize, load: i64) -> bool {
        load <= self.capacity[c]
    }
}
