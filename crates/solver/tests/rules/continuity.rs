//! Continuity of care: the usual caregiver is preferred (soft).

use crate::{caregiver, problem, solve, stop, visit};

#[test]
fn the_usual_caregiver_is_preferred() {
    let mut v = visit("care", 3, (0, 10_000), 600);
    v.preferred = vec!["b".into()];
    let p = problem(vec![v], vec![caregiver("a"), caregiver("b"), caregiver("c")]);
    let (plan, _) = solve(&p);
    assert_eq!(stop(&plan, "care").0, "b");
    assert_eq!(plan.kpis.non_preferred_visits, 0);
}
