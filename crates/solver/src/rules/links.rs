//! Linked visits (two caregivers at once, or one after the other within a gap): both served
//! or neither, by two caregivers, the second starting within the gap after the first. The
//! search places a pair as a unit with both starts pinned. Reason code `link`; the checker's
//! twins are `link_incomplete`, `link_same_caregiver` and `link_gap` in `check::links`.

use crate::route::data::Data;

/// One side of a [`VisitLink`](crate::model::VisitLink): `start[partner] - start[v]` must lie
/// in `lo..=hi`, and the partner needs another caregiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkEnd {
    pub partner: u32,
    pub lo: i64,
    pub hi: i64,
}

impl Data {
    /// Whether visit `v` is linked to another (two caregivers at once, or one after the
    /// other). A served linked visit has its start pinned where its pair was placed.
    #[inline]
    pub fn is_linked(&self, v: usize) -> bool {
        self.link[v].is_some()
    }
}
