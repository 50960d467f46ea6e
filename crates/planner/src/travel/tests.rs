use super::*;
use formats::scenario::Scenario;
use solver::{Environment, MaxIterations, Plan, ReasonCode};

/// A station, three clients around it and one caregiver on an e-bike; every visit fits the
/// day in any order, so only travel decides the route.
fn scenario() -> Scenario {
    let text = r#"{"name": "own-times", "travel": {"matrix": "m.json"},
      "stations": [{"id": "S1", "location": {"lon": 1.52, "lat": 42.50}, "circle": {"minutes": 60, "mode": "ebike"}}],
      "caregivers": [{"id": "C1", "station": "S1", "skills": [], "shift": {"start": 28800, "end": 61200}, "mode": "ebike"}],
      "clients": [
        {"id": "K1", "station": "S1", "location": {"lon": 1.53, "lat": 42.50}},
        {"id": "K2", "station": "S1", "location": {"lon": 1.53, "lat": 42.51}},
        {"id": "K3", "station": "S1", "location": {"lon": 1.52, "lat": 42.51}}],
      "visits": [
        {"id": "V1", "client": "K1", "service": "cleaning", "duration": 1800, "windows": [{"start": 28800, "end": 57600}]},
        {"id": "V2", "client": "K2", "service": "cleaning", "duration": 1800, "windows": [{"start": 28800, "end": 57600}]}]}"#;
    Scenario::from_json(text).expect("valid scenario")
}

/// Seconds by e-bike among S1, K1, K2, K3 (rows from, columns to).
fn matrix(rows: [[Option<u32>; 4]; 4]) -> Arc<TravelMatrix> {
    let points = ["S1", "K1", "K2", "K3"].map(String::from).to_vec();
    let seconds = rows.iter().flatten().map(|x| x.unwrap_or(TravelMatrix::NONE)).collect();
    let modes = std::collections::BTreeMap::from([(TravelMode::Ebike, (seconds, None))]);
    Arc::new(TravelMatrix::from_numbers(points, modes).expect("valid matrix"))
}

fn plan(source: &TravelSource, scenario: &Scenario) -> (Plan, StationTravel) {
    let day = scenario.station_day("S1").expect("station day");
    let travel =
        source.travel(&day.station, &day.points, &day.point_ids, &day.modes).expect("travel");
    let mut env = Environment::new(1, MaxIterations(300));
    let plan = solver::solve(&day.problem, &travel.matrices, &mut env);
    let report = solver::check::check(&day.problem, &travel.matrices, &plan);
    assert!(report.is_feasible(), "{:?}", report.violations);
    (plan, travel)
}

fn order(plan: &Plan) -> Vec<String> {
    plan.routes.iter().flat_map(|r| r.stops.iter().map(|s| s.visit.clone())).collect()
}

#[test]
fn an_asymmetric_matrix_decides_the_order() {
    let (f, s) = (Some(120), Some(900));
    // One way round is quick (S1 → K1 → K2 → S1), the other slow.
    let one_way =
        matrix([[Some(0), f, s, s], [s, Some(0), f, s], [f, s, Some(0), s], [s, s, s, Some(0)]]);
    let (forward, _) = plan(&TravelSource::Matrix(one_way), &scenario());
    assert_eq!(order(&forward), ["V1", "V2"]);
    assert_eq!(forward.kpis.travel_time.0, 360);
    // The same matrix transposed: the other way round is the quick one.
    let other_way =
        matrix([[Some(0), s, f, s], [f, Some(0), s, s], [s, f, Some(0), s], [s, s, s, Some(0)]]);
    let (backward, _) = plan(&TravelSource::Matrix(other_way), &scenario());
    assert_eq!(order(&backward), ["V2", "V1"]);
    assert_eq!(backward.kpis.travel_time.0, 360);
}

#[test]
fn a_client_with_no_way_is_unassigned_with_its_reason() {
    let t = Some(300);
    // Nobody reaches K2: its row and column are empty.
    let m = matrix([
        [Some(0), t, None, t],
        [t, Some(0), None, t],
        [None, None, Some(0), None],
        [t, t, None, Some(0)],
    ]);
    let (p, _) = plan(&TravelSource::Matrix(m), &scenario());
    assert_eq!(order(&p), ["V1"]);
    assert_eq!(p.unassigned.len(), 1);
    assert_eq!(p.unassigned[0].visit, "V2");
    assert_eq!(p.unassigned[0].reason, ReasonCode::NoTravelTime);
}

#[test]
fn a_point_the_matrix_lacks_has_no_way_and_a_file_must_cover_it() {
    let mut s = scenario();
    s.clients[1].id = "K9".into();
    s.visits[1].client = "K9".into();
    let t = Some(300);
    let m = TravelSource::Matrix(matrix([[t; 4]; 4]));
    let (p, travel) = plan(&m, &s);
    assert_eq!(travel.missing, ["K9"]);
    assert_eq!(p.unassigned.first().map(|u| u.reason), Some(ReasonCode::NoTravelTime));
    let day = s.station_day("S1").expect("day");
    let err = m.station_day(&day).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("no point K9"), "{err}");
}

#[test]
fn a_mode_the_matrix_lacks_is_an_error_naming_it() {
    let mut s = scenario();
    s.caregivers[0].mode = TravelMode::Car;
    let day = s.station_day("S1").expect("day");
    let m = TravelSource::Matrix(matrix([[Some(60); 4]; 4]));
    let err = m.station_day(&day).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("no car times"), "{err}");
}

#[test]
fn straight_lines_plan_without_roads() {
    let line = TravelSource::StraightLine(StraightLine::default());
    let (p, travel) = plan(&line, &scenario());
    assert_eq!(p.kpis.visits_served, 2);
    let m = travel.matrices.profile(solver::ProfileIdx(0));
    let (a, b) = (solver::LocationIdx(0), solver::LocationIdx(1));
    // S1 → K1: about 820 m east at 42.5° N, × 1.3 at 15 km/h.
    assert_eq!(m.time(a, b), m.time(b, a));
    assert!((250..=260).contains(&m.time(a, b).0), "{}", m.time(a, b));
    assert!(!line.has_paths());
}
