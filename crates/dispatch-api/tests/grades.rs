//! Quarterly team grades, on SQLite and PostgreSQL: a day with check-ins on time and late,
//! a missing check-out, ratings high and low; the report's parts are what happened, and the
//! grades recomputed from the station's stored events (not the tables the report reads)
//! equal the report.

mod common;

use axum::http::StatusCode;
use common::{Service, DATE};
use dispatch_api::auth::{create_token, Role};
use dispatch_api::grades::{grade_teams, GradeConfig, Quarter, VisitRecord, NO_TEAM};
use planner::travel::to_wgs84;
use roads::{haversine_m, LonLat};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Where a visit's client lives, in WGS84.
async fn home_of(s: &Service, visit: &str) -> LonLat {
    let (order, _, _) = s.state.store.order_row(visit).await.expect("read").expect("order");
    let client = s.state.store.client(&order.client).await.expect("read").expect("client");
    to_wgs84(&client.location)
}

async fn post(s: &Service, token: Option<&str>, path: &str, body: Value) -> Value {
    let answer = s.call_as(token, "POST", path, Some(&body.to_string()), &[]).await;
    assert!(answer.status.is_success(), "{path}: {} {}", answer.status, answer.body);
    answer.body
}

/// The quarter rebuilt from the station's event log and its current plan.
async fn from_events(s: &Service, plan: &solver::Plan) -> Quarter {
    let mut visits: BTreeMap<String, VisitRecord> = BTreeMap::new();
    let mut homes: HashMap<String, LonLat> = HashMap::new();
    for route in &plan.routes {
        for stop in common::orders(route) {
            let (order, _, _) =
                s.state.store.order_row(&stop.visit).await.expect("read").expect("order");
            homes.insert(stop.visit.clone(), home_of(s, &stop.visit).await);
            visits.insert(
                stop.visit.clone(),
                VisitRecord {
                    visit: stop.visit.clone(),
                    caregiver: route.caregiver.clone(),
                    date: DATE.into(),
                    windows: order.windows.iter().map(|w| (w.start.0, w.end.0)).collect(),
                    ..VisitRecord::default()
                },
            );
        }
    }
    let mut quarter = Quarter::default();
    for e in s.state.store.events_after("S1", 0, 100_000).await.expect("events") {
        let visit = e.data["visit"].as_str().unwrap_or_default().to_string();
        let record = visits.get_mut(&visit);
        match (e.kind.as_str(), record) {
            ("check-in", Some(r)) => {
                r.check_in = e.data["at"].as_i64();
                // Unverified (no position): at no known place.
                r.check_in_distance_m = match (e.data["lon"].as_f64(), e.data["lat"].as_f64()) {
                    (Some(lon), Some(lat)) => {
                        Some(haversine_m(homes[&visit], LonLat::new(lon, lat)))
                    }
                    _ => None,
                };
                r.caregiver = e.data["caregiver"].as_str().expect("caregiver").into();
            }
            ("check-out", Some(r)) => r.check_out = e.data["at"].as_i64(),
            ("rating", Some(r)) => r.stars = e.data["stars"].as_i64(),
            ("alert", Some(r)) if e.data["kind"] == "no_check_out" => r.late_check_out = true,
            ("alert", _) if e.data["kind"] == "deviation" => {
                let caregiver = e.data["caregiver"].as_str().expect("caregiver").to_string();
                quarter.deviations.insert((caregiver, DATE.into()));
            }
            _ => {}
        }
    }
    quarter.visits = visits.into_values().collect();
    quarter
}

async fn grades_are_what_happened(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let orders = common::orders;
    let routes: Vec<&solver::Route> = plan.routes.iter().filter(|r| orders(r).len() >= 2).collect();
    assert!(routes.len() >= 3, "a day with several caregivers");
    let members = [routes[0].caregiver.clone(), routes[1].caregiver.clone()];
    let team = json!({"id": "T1", "station": "S1", "caregivers": members});
    post(&s, Some(s.token(Role::Dispatcher)), "/v1/teams", team).await;

    // routes[0]: both visits on time, out, rated 5 and 1, the second checked in a kilometre
    // from the home; routes[2]: first visit on time and out, checked in without a position
    // (unverified); routes[1]: first visit checked in at 21:00, after every window, and never
    // out. Check-ins are at the door otherwise.
    let mut links = Vec::new();
    for i in [0, 2, 1] {
        let route = routes[i];
        let token = create_token(&s.state.store, Role::Caregiver, &[], Some(&route.caregiver), "")
            .await
            .expect("token");
        for (n, stop) in orders(route).iter().take(if i == 0 { 2 } else { 1 }).enumerate() {
            let home = home_of(&s, &stop.visit).await;
            let away = if i == 0 && n == 1 { 0.0125 } else { 0.0 };
            let here =
                if i == 2 { json!({}) } else { json!({"lon": home.lon + away, "lat": home.lat}) };
            let at = if i == 1 { 21 * 3600 } else { stop.start.0 };
            s.state.clock.set(&common::date(), at);
            let path = format!("/v1/me/visits/{}/check-in", stop.visit);
            post(&s, Some(&token), &path, here.clone()).await;
            if i != 1 {
                s.state.clock.set(&common::date(), stop.end.0);
                let path = format!("/v1/me/visits/{}/check-out", stop.visit);
                let out = post(&s, Some(&token), &path, here.clone()).await;
                links.push(out["rating_link"].as_str().expect("link").replace("/rate/", ""));
            }
        }
    }
    post(&s, None, &format!("/v1/ratings/{}", links[0]), json!({"stars": 5})).await;
    post(&s, None, &format!("/v1/ratings/{}", links[1]), json!({"stars": 1})).await;
    s.state.clock.set(&common::date(), 23 * 3600 + 3540);
    let raised = dispatch_api::alerts::scan(&s.state).await.expect("scan");
    let late_out = orders(routes[1])[0].visit.clone();
    assert!(raised
        .iter()
        .any(|a| a.kind == "no_check_out" && a.visit.as_deref() == Some(late_out.as_str())));

    let answer = s.call(Role::Planner, "GET", "/v1/reports/teams?quarter=2026Q4", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let report = &answer.body;
    let teams = report["teams"].as_array().expect("teams");
    let t1 = teams.iter().find(|t| t["team"] == "T1").expect("T1 graded");
    let part = |t: &Value, name: &str| {
        t["parts"].as_array().expect("parts").iter().find(|p| p["name"] == name).cloned()
    };
    let planned = orders(routes[0]).len() + orders(routes[1]).len();
    assert_eq!(t1["visits"], planned);
    let r4 = |x: f64| Value::from((x * 10_000.0).round() / 10_000.0);
    let value = |name: &str| part(t1, name).expect(name)["value"].clone();
    assert_eq!(value("completion"), r4(2.0 / planned as f64));
    assert_eq!(value("punctuality"), r4(2.0 / 3.0), "the 21:00 check-in is late");
    assert_eq!(value("check_compliance"), r4(1.0 / 3.0), "one check-out missing, one far away");
    assert_eq!(value("route_adherence"), r4(1.0));
    assert_eq!(value("ratings"), r4(0.5), "5 and 1 stars");
    assert_eq!(value("complaints"), r4(0.5));
    // routes[2]'s one started visit is the only one of no team: unverified, it is not compliant.
    let no_team = teams.iter().find(|t| t["team"] == NO_TEAM).expect("the rest graded");
    assert_eq!(part(no_team, "check_compliance").expect("part")["value"], r4(0.0), "{no_team}");
    for t in teams {
        let score = t["score"].as_f64().expect("score");
        assert!((0.0..=100.0).contains(&score), "{t}");
        assert!(["A", "B", "C", "D"].contains(&t["grade"].as_str().expect("grade")), "{t}");
    }

    // The same grades from the event log.
    let quarter = from_events(&s, &s.checked_plan().await).await;
    let teams_of: HashMap<String, String> =
        members.iter().map(|c| (c.clone(), "T1".to_string())).collect();
    let again = grade_teams("2026Q4", &quarter, &teams_of, NO_TEAM, &GradeConfig::default_config());
    assert_eq!(serde_json::to_value(&again).expect("json"), *report);

    // The chart, and a bad quarter named.
    let svg = s.call(Role::Admin, "GET", "/v1/reports/teams?quarter=2026Q4&format=svg", None).await;
    assert_eq!(svg.content_type.as_deref(), Some("image/svg+xml; charset=utf-8"));
    assert!(svg.text.contains("T1"));
    let bad = s.call(Role::Admin, "GET", "/v1/reports/teams?quarter=2026Q7", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["field"], "quarter");
}

both!(team_grades, grades_are_what_happened);
