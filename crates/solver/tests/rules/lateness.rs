//! Soft deadlines: lateness reported and priced against travel.

use crate::{caregiver, problem, solve, stop, visit};
use solver::{Seconds, SoftCosts};

#[test]
fn a_late_start_is_reported_and_priced() {
    // 20 units away (200 s), due at 100: 100 s late at best.
    let mut v = visit("meal", 2, (0, 10_000), 600);
    v.due = Some(Seconds(100));
    let p = problem(vec![v], vec![caregiver("a")]);
    let (plan, _) = solve(&p);
    assert_eq!(plan.kpis.lateness_total, Seconds(100));
    assert_eq!(plan.kpis.lateness_max, Seconds(100));
}

#[test]
fn lateness_is_traded_against_travel() {
    // One caregiver, two visits due early at opposite ends of the line: serving the urgent
    // one first is right when lateness costs more than the detour.
    let mut near = visit("near", 1, (0, 10_000), 300);
    near.due = Some(Seconds(2_000));
    let mut urgent = visit("urgent", 4, (0, 10_000), 300);
    urgent.due = Some(Seconds(400));
    let p = problem(vec![near, urgent], vec![caregiver("a")])
        .with_soft_costs(SoftCosts { lateness: 10, ..SoftCosts::default() })
        .expect("weights");
    let (plan, _) = solve(&p);
    assert!(stop(&plan, "urgent").1.start < stop(&plan, "near").1.start);
    assert_eq!(plan.kpis.lateness_total, Seconds::ZERO);
}
