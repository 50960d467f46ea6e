//! Lunch breaks, taken wherever the caregiver is, inside their window.

use crate::{caregiver, problem, reason, solve, stop, visit};
use solver::{LunchBreak, ReasonCode, Seconds, TimeWindow};

const H: i64 = 3600;

fn lunch(open: i64, close: i64, minutes: i64) -> Option<LunchBreak> {
    Some(LunchBreak {
        window: TimeWindow::new(Seconds(open), Seconds(close)),
        duration: Seconds(minutes * 60),
    })
}

#[test]
fn the_break_falls_in_its_window_between_visits() {
    let mut a = caregiver("a");
    a.shift = TimeWindow::new(Seconds(8 * H), Seconds(17 * H));
    a.lunch_break = lunch(12 * H, 12 * H + 1800, 30);
    // Four long visits that must be spread over the day.
    let visits = (1..=4).map(|i| visit(&format!("v{i}"), i, (8 * H, 16 * H), 5_400)).collect();
    let (plan, _) = solve(&problem(visits, vec![a]));
    let route = &plan.routes[0];
    let start = route.break_start.expect("a break").0;
    assert!((12 * H..=12 * H + 1800).contains(&start), "break at {start}");
    let after = route.break_after.expect("its place");
    // Nobody is served during the break.
    for s in &route.stops {
        assert!(s.end.0 <= start || s.start.0 >= start + 1800, "{s:?} overlaps the break");
    }
    assert_eq!(plan.kpis.visits_served, 4);
    assert!(after <= route.stops.len());
    stop(&plan, "v1");
}

#[test]
fn a_visit_the_break_leaves_no_room_for_names_it() {
    let mut a = caregiver("a");
    a.shift = TimeWindow::new(Seconds(8 * H), Seconds(14 * H));
    // An hour's break that must start at noon, and a visit that must start 12:10-12:20.
    a.lunch_break = lunch(12 * H, 12 * H, 60);
    let v = visit("noon", 1, (12 * H + 600, 12 * H + 1200), 1_800);
    let (plan, _) = solve(&problem(vec![v], vec![a]));
    assert_eq!(reason(&plan, "noon"), ReasonCode::Break);
}
