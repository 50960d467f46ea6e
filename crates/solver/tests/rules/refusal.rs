//! A client may refuse a caregiver (hard).

use crate::{caregiver, problem, reason, solve, stop, visit};
use solver::ReasonCode;

#[test]
fn a_refused_caregiver_never_comes() {
    let mut v = visit("bath", 1, (0, 10_000), 600);
    v.refused = vec!["a".into()];
    let p = problem(vec![v.clone()], vec![caregiver("a"), caregiver("b")]);
    assert_eq!(stop(&solve(&p).0, "bath").0, "b");
    let alone = problem(vec![v], vec![caregiver("a")]);
    assert_eq!(reason(&solve(&alone).0, "bath"), ReasonCode::Refused);
}
