//! Service time that depends on the caregiver.

use crate::{caregiver, problem, solve, stop, visit};
use solver::Seconds;

#[test]
fn a_trainee_takes_their_own_time() {
    let mut v = visit("clean", 1, (0, 10_000), 600);
    v.duration_for.insert("trainee".into(), Seconds(900));
    let p = problem(vec![v], vec![caregiver("trainee")]);
    let (plan, _) = solve(&p);
    let (_, s) = stop(&plan, "clean");
    assert_eq!(s.end - s.start, Seconds(900));
}
