//! Two caregivers at one visit (synchronised) and precedence with a gap.

use crate::{caregiver, problem, reason, solve, stop, visit};
use solver::{ReasonCode, Seconds, VisitLink};

#[test]
fn two_caregivers_start_together() {
    let links = vec![VisitLink::synchronised("lift-1", "lift-2")];
    // The second caregiver has another visit first, so the first must wait for them.
    let visits = vec![
        visit("lift-1", 2, (0, 5_000), 600),
        visit("lift-2", 2, (0, 5_000), 600),
        visit("early", 4, (0, 100_000), 900),
    ];
    let p = problem(visits, vec![caregiver("a"), caregiver("b")]).with_links(links).expect("link");
    let (plan, _) = solve(&p);
    let (ca, a) = stop(&plan, "lift-1");
    let (cb, b) = stop(&plan, "lift-2");
    assert_ne!(ca, cb, "two caregivers");
    assert_eq!(a.start, b.start, "together");
}

#[test]
fn a_lone_caregiver_cannot_do_a_two_caregiver_visit() {
    let links = vec![VisitLink::synchronised("lift-1", "lift-2")];
    let visits = vec![visit("lift-1", 2, (0, 5_000), 600), visit("lift-2", 2, (0, 5_000), 600)];
    let p = problem(visits, vec![caregiver("a")]).with_links(links).expect("link");
    let (plan, _) = solve(&p);
    assert_eq!(reason(&plan, "lift-1"), ReasonCode::Link);
    assert_eq!(reason(&plan, "lift-2"), ReasonCode::Link);
}

#[test]
fn a_precedence_keeps_its_gap() {
    let link = VisitLink {
        first: "medicine".into(),
        second: "meal".into(),
        min_gap: Seconds(1_800),
        max_gap: Seconds(2_400),
    };
    let visits = vec![visit("medicine", 1, (0, 10_000), 300), visit("meal", 1, (0, 10_000), 600)];
    let p = problem(visits, vec![caregiver("a"), caregiver("b")]).with_links(vec![link]).unwrap();
    let (plan, _) = solve(&p);
    let gap = stop(&plan, "meal").1.start - stop(&plan, "medicine").1.start;
    assert!((1_800..=2_400).contains(&gap.0), "gap {gap}");
}
