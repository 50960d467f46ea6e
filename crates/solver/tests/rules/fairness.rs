//! Fairness: the spread of working time is an objective term.

use crate::{caregiver, problem, solve, visit};
use solver::{Seconds, SoftCosts, Visit};

#[test]
fn fairness_shares_the_day() {
    let visits: Vec<Visit> =
        (1..=4).map(|i| visit(&format!("v{i}"), (i % 4 + 1) as u32, (0, 10_000), 600)).collect();
    let soft = SoftCosts { working_spread: 5, ..SoftCosts::default() };
    let p = problem(visits.clone(), vec![caregiver("a"), caregiver("b")])
        .with_soft_costs(soft)
        .expect("weights");
    let (plan, _) = solve(&p);
    assert_eq!(plan.kpis.fairness.visits_min, 2, "{:?}", plan.kpis.fairness);
    // Without the fairness term one caregiver does everything (less travel).
    let unfair = problem(visits, vec![caregiver("a"), caregiver("b")]);
    let (plan, _) = solve(&unfair);
    assert_eq!(plan.kpis.fairness.visits_min, 0, "{:?}", plan.kpis.fairness);
    assert!(plan.kpis.fairness.working_spread > Seconds::ZERO);
}
