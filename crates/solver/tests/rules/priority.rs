//! Priorities: a higher-priority visit is never dropped to serve a lower one.

use crate::{caregiver, problem, reason, solve, stop, visit};
use solver::{ReasonCode, Seconds};

#[test]
fn a_higher_priority_visit_is_never_dropped_for_a_lower_one() {
    // Both need the one caregiver at the same time; only one fits.
    let mut high = visit("high", 1, (1_000, 1_000), 600);
    high.priority = 3;
    let low = visit("low", 2, (1_000, 1_000), 600);
    for due in [None, Some(Seconds(5_000))] {
        let (mut h, mut l) = (high.clone(), low.clone());
        // A deadline switches to the home-care search: both searches must keep the rule.
        h.due = due;
        l.due = due;
        let p = problem(vec![l, h], vec![caregiver("a")]);
        let (plan, _) = solve(&p);
        stop(&plan, "high");
        assert_eq!(reason(&plan, "low"), ReasonCode::NoRoom);
    }
}
