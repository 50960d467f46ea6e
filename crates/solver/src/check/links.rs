//! Checks the links between visits: both served or neither, by two caregivers, the second
//! starting within the gap after the first.

use super::{violation, CheckRule, Violation};
use crate::model::{Problem, Seconds};

/// `served_by[v]`: the caregiver index and reported start of visit `v`, if served.
pub fn check_links(
    problem: &Problem,
    served_by: &[Option<(usize, Seconds)>],
    out: &mut Vec<Violation>,
) {
    for link in &problem.links {
        // `Problem::with_links` guarantees both ids exist.
        let (Some(a), Some(b)) = (problem.visit_idx(&link.first), problem.visit_idx(&link.second))
        else {
            continue;
        };
        let pair = format!("{} and {}", link.first, link.second);
        match (served_by[a.index()], served_by[b.index()]) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                let msg = format!("only one of the linked visits {pair} is served");
                out.push(violation(CheckRule::LinkIncomplete, None, Some(&link.first), msg));
            }
            (Some((ca, sa)), Some((cb, sb))) => {
                if ca == cb {
                    let who = &problem.caregivers[ca].id;
                    let msg = format!("the linked visits {pair} need two caregivers");
                    out.push(violation(CheckRule::LinkSameCaregiver, Some(who), None, msg));
                }
                let gap = sb - sa;
                if gap < link.min_gap || gap > link.max_gap {
                    let msg = format!(
                        "{} starts {gap} after {}, outside [{}, {}]",
                        link.second, link.first, link.min_gap, link.max_gap
                    );
                    out.push(violation(CheckRule::LinkGap, None, Some(&link.second), msg));
                }
            }
        }
    }
}
