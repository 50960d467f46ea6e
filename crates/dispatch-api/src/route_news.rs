//! What a new plan of the day changed on one caregiver's route — visits added, taken away
//! (cancelled, or given to someone else) and moved in time — for the caregiver's own stream.
//! Only the caregiver's own visits are named: never another caregiver's.

use serde_json::{json, Value};
use solver::Plan;

/// The caregiver's visits in `plan`, in route order, with their planned starts (a meal's
/// pick-up is a stop on the way, not a visit).
pub fn route_of(plan: &Plan, caregiver: &str) -> Vec<(String, i64)> {
    plan.routes
        .iter()
        .filter(|r| r.caregiver == caregiver)
        .flat_map(|r| r.stops.iter().filter(|s| s.pickup_for.is_none()))
        .map(|s| (s.visit.clone(), s.start.0))
        .collect()
}

/// What changed from `before` to `after` (a start that moved by more than `tolerance`
/// seconds counts as moved); `None` when nothing did.
pub fn news(before: &[(String, i64)], after: &[(String, i64)], tolerance: i64) -> Option<Value> {
    let was = |v: &str| before.iter().find(|(b, _)| b == v).map(|(_, s)| *s);
    let is = |v: &str| after.iter().any(|(a, _)| a == v);
    let added: Vec<Value> = after
        .iter()
        .filter(|(v, _)| was(v).is_none())
        .map(|(v, s)| json!({"visit": v, "start": s}))
        .collect();
    let removed: Vec<&str> =
        before.iter().filter(|(v, _)| !is(v)).map(|(v, _)| v.as_str()).collect();
    let moved: Vec<Value> = after
        .iter()
        .filter_map(|(v, s)| {
            let from = was(v)?;
            ((s - from).abs() > tolerance)
                .then(|| json!({"visit": v, "from_start": from, "start": s}))
        })
        .collect();
    if added.is_empty() && removed.is_empty() && moved.is_empty() {
        return None;
    }
    let stops: Vec<&str> = after.iter().map(|(v, _)| v.as_str()).collect();
    Some(json!({"added": added, "removed": removed, "moved": moved, "stops": stops}))
}

#[cfg(test)]
mod tests {
    use super::news;
    use serde_json::json;

    fn route(stops: &[(&str, i64)]) -> Vec<(String, i64)> {
        stops.iter().map(|(v, s)| (v.to_string(), *s)).collect()
    }

    #[test]
    fn names_what_was_added_removed_and_moved_and_nothing_else() {
        let before = route(&[("V1", 32_400), ("V2", 36_000), ("V3", 40_000)]);
        let after = route(&[("V1", 32_500), ("V4", 34_000), ("V3", 43_000)]);
        let n = news(&before, &after, 300).expect("news");
        assert_eq!(n["added"], json!([{"visit": "V4", "start": 34_000}]));
        assert_eq!(n["removed"], json!(["V2"]));
        assert_eq!(n["moved"], json!([{"visit": "V3", "from_start": 40_000, "start": 43_000}]));
        assert_eq!(n["stops"], json!(["V1", "V4", "V3"]));
        assert_eq!(news(&before, &before, 300), None);
        assert_eq!(
            news(&before, &route(&[("V1", 32_600), ("V2", 36_000), ("V3", 40_000)]), 300),
            None
        );
    }
}
