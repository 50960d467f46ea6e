//! A client may require a female caregiver (hard).

use crate::{caregiver, problem, reason, solve, stop, visit};
use solver::ReasonCode;

#[test]
fn a_female_only_visit_gets_a_female_caregiver() {
    let mut v = visit("bath", 1, (0, 10_000), 600);
    v.female_only = true;
    let mut man = caregiver("m");
    man.female = false;
    let p = problem(vec![v.clone()], vec![man.clone(), caregiver("w")]);
    assert_eq!(stop(&solve(&p).0, "bath").0, "w");
    let alone = problem(vec![v], vec![man]);
    assert_eq!(reason(&solve(&alone).0, "bath"), ReasonCode::Gender);
}
