//! Skills: the caregiver holds every skill the visit needs. Reason code `skills`; the
//! checker's twin is `skills` in `check::route`.

use crate::model::{Caregiver, Visit};

/// Whether `caregiver` holds every skill `visit` needs.
pub fn holds(visit: &Visit, caregiver: &Caregiver) -> bool {
    caregiver.has_skills(&visit.skills)
}
