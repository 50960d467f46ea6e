//! Overtime beyond contracted hours costs more.

use crate::{caregiver, problem, solve, visit};
use solver::Seconds;

#[test]
fn overtime_moves_work_to_a_colleague() {
    // Two long visits: one caregiver doing both works about 3,240 s, past the 2,000 s
    // contract; two caregivers finish within it.
    let visits = vec![visit("v1", 1, (0, 10_000), 1_500), visit("v2", 1, (0, 10_000), 1_500)];
    let mut a = caregiver("a");
    a.contracted = Some(Seconds(2_000));
    let mut b = caregiver("b");
    b.contracted = Some(Seconds(2_000));
    let p = problem(visits, vec![a, b]);
    let (plan, _) = solve(&p);
    assert_eq!(plan.kpis.overtime, Seconds::ZERO);
    assert_eq!(plan.routes.len(), 2);
}
