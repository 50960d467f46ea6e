//! Gender: a client who needs a female caregiver gets one (hard). Reason code `gender`; the
//! checker's twin is `gender` in `check::route`.

use crate::model::{Caregiver, Visit};

/// Whether `caregiver` may serve `visit` as to gender.
pub fn holds(visit: &Visit, caregiver: &Caregiver) -> bool {
    !visit.female_only || caregiver.female
}
