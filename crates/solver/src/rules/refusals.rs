//! Refusals: a client never gets a caregiver they refused (hard). Reason code `refused`; the
//! checker's twin is `refused` in `check::route`.

use crate::model::{Caregiver, Visit};

/// Whether `visit`'s client accepts `caregiver`.
pub fn holds(visit: &Visit, caregiver: &Caregiver) -> bool {
    !visit.refused.contains(&caregiver.id)
}
