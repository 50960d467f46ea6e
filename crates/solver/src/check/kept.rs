//! The `locked` rule: a re-plan of a day that has begun keeps what happened. Against the
//! plan in force before it, every visit that started, was checked in or was locked by a
//! dispatcher keeps its caregiver and start; a lunch break that started keeps its start;
//! and nothing that changed starts before now. Written from the plans alone: it shares
//! nothing with the re-plan's own locking (`rules::locked`).

use super::violation::{CheckRule, Violation};
use crate::model::{Plan, Seconds};
use std::collections::{HashMap, HashSet};

/// What a re-plan must keep of the plan before it.
pub struct Kept<'a> {
    /// The plan in force before the re-plan.
    pub before: &'a Plan,
    /// Visits that must stay with their caregiver at their start: started, checked in,
    /// planned to start before now by a caregiver still at work, or locked by a dispatcher.
    pub visits: &'a HashSet<String>,
    /// Seconds from midnight: nothing that changed may start before.
    pub now: Seconds,
}

/// Every way `after` breaks the `locked` rule against `kept`.
pub fn check_kept(kept: &Kept, after: &Plan) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut say = |caregiver: &str, visit: Option<&str>, message: String| {
        out.push(Violation {
            rule: CheckRule::Locked,
            caregiver: Some(caregiver.to_string()),
            visit: visit.map(str::to_string),
            message,
        })
    };
    let starts = |plan: &Plan| -> HashMap<String, (String, Seconds)> {
        let stops = plan.routes.iter().flat_map(|r| r.stops.iter().map(move |s| (r, s)));
        stops.map(|(r, s)| (s.visit.clone(), (r.caregiver.clone(), s.start))).collect()
    };
    let (was, now) = (starts(kept.before), starts(after));
    for (visit, (caregiver, start)) in &was {
        if !kept.visits.contains(visit) {
            continue;
        }
        match now.get(visit) {
            Some(at) if at == &(caregiver.clone(), *start) => {}
            Some((c, s)) => say(
                caregiver,
                Some(visit),
                format!("was kept at {start} by {caregiver}, now {c} at {s}"),
            ),
            None => say(caregiver, Some(visit), format!("was kept at {start}, now in no route")),
        }
    }
    for (visit, (caregiver, start)) in &now {
        if *start < kept.now && was.get(visit) != Some(&(caregiver.clone(), *start)) {
            say(
                caregiver,
                Some(visit),
                format!("changed to start at {start}, before now {}", kept.now),
            );
        }
    }
    let breaks = |plan: &Plan| -> HashMap<String, Seconds> {
        let with_stops = plan.routes.iter().filter(|r| !r.stops.is_empty());
        with_stops.filter_map(|r| r.break_start.map(|b| (r.caregiver.clone(), b))).collect()
    };
    let (was, now) = (breaks(kept.before), breaks(after));
    let routed: HashSet<&str> =
        after.routes.iter().filter(|r| !r.stops.is_empty()).map(|r| r.caregiver.as_str()).collect();
    for (caregiver, start) in &was {
        if *start < kept.now
            && routed.contains(caregiver.as_str())
            && now.get(caregiver) != Some(start)
        {
            say(caregiver, None, format!("the lunch break started at {start} and moved"));
        }
    }
    for (caregiver, start) in &now {
        if *start < kept.now && was.get(caregiver) != Some(start) {
            say(
                caregiver,
                None,
                format!("the lunch break moved to {start}, before now {}", kept.now),
            );
        }
    }
    out.sort_by(|a, b| (&a.caregiver, &a.visit).cmp(&(&b.caregiver, &b.visit)));
    out
}
