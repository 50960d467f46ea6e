//! The pool's circles: when several stations are planned as one problem (a pool), a caregiver
//! serves their own station's clients as always, and another station's client only where their
//! own station reaches the client's home within its circle (`Caregiver::circle`). Reason code
//! `circle`; the checker's twin is `circle` in `check::route`.

use crate::model::{Caregiver, Problem, ReasonCode, Visit};
use crate::travel::TravelTimes;

/// Whether `caregiver` may serve `visit` as far as the circles go.
pub fn holds(caregiver: &Caregiver, visit: &Visit, travel: &dyn TravelTimes) -> bool {
    let Some(circle) = caregiver.circle else { return true };
    match (&visit.station, &caregiver.station) {
        (Some(theirs), Some(ours)) if theirs != ours => {
            travel.time(caregiver.profile, circle.center, visit.location) <= circle.reach
        }
        _ => true,
    }
}

/// Marks, in `excluded` (`[caregiver * visits + visit]`), every pair the circles rule out
/// and no other rule did.
pub(crate) fn exclude(
    problem: &Problem,
    travel: &dyn TravelTimes,
    excluded: &mut [Option<ReasonCode>],
) {
    let n = problem.visits.len();
    for (c, cg) in problem.caregivers.iter().enumerate().filter(|(_, cg)| cg.circle.is_some()) {
        for (v, visit) in problem.visits.iter().enumerate() {
            let slot = &mut excluded[c * n + v];
            if slot.is_none() && !holds(cg, visit, travel) {
                *slot = Some(ReasonCode::Circle);
            }
        }
    }
}
