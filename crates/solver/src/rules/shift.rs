//! The shift: a caregiver leaves no earlier than its start and is back by its end. Reason
//! code `shift`; the checker's twins are `shift_start` and `shift_end` in `check::route`.

use crate::route::data::Data;

impl Data {
    /// Whether caregiver `c`, back at `time`, is back within the shift.
    #[inline]
    pub fn back_in_shift(&self, c: usize, time: i64) -> bool {
        time <= self.shift_end[c]
    }
}
