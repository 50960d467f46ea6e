//! The service-hour ledger, on SQLite and PostgreSQL: caregivers check in and out all at once
//! (and some check out twice), and the ledger's totals, by every grouping, equal the sum of
//! the finished visits; re-planning the day afterwards books nothing again.

mod common;

use axum::http::StatusCode;
use common::{Service, DATE};
use dispatch_api::auth::{create_token, Role};
use futures_util::future::join_all;
use serde_json::json;

/// Everyone's first visit of the day: (caregiver, their token, visit).
async fn first_visits(s: &Service) -> Vec<(String, String, String)> {
    let plan = s.checked_plan().await;
    let mut firsts = Vec::new();
    for route in plan.routes.iter().filter(|r| !r.stops.is_empty()) {
        let token = create_token(&s.state.store, Role::Caregiver, &[], Some(&route.caregiver), "")
            .await
            .expect("token");
        firsts.push((route.caregiver.clone(), token, common::orders(route)[0].visit.clone()));
    }
    firsts
}

async fn check(s: &Service, token: &str, visit: &str, what: &str) -> StatusCode {
    let at = json!({"lon": 1.53, "lat": 42.51}).to_string();
    let path = format!("/v1/me/visits/{visit}/{what}");
    s.call_as(Some(token), "POST", &path, Some(&at), &[]).await.status
}

async fn ledger(s: &Service, role: Role, query: &str) -> serde_json::Value {
    let answer = s.call(role, "GET", &format!("/v1/ledger?from=2026-11&{query}"), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    answer.body
}

async fn totals_equal_the_finished_visits(s: Service) {
    s.plan_day().await;
    let firsts = first_visits(&s).await;
    assert!(firsts.len() >= 4, "a day with several caregivers");
    let members = [firsts[0].0.clone(), firsts[1].0.clone()];
    let team = json!({"id": "T1", "station": "S1", "caregivers": members}).to_string();
    let made = s.call(Role::Dispatcher, "POST", "/v1/teams", Some(&team)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);

    // All check in at 09:00; half check out at 09:40 and the rest at 10:15, each wave at once,
    // and every check-out is sent twice.
    s.state.clock.set(&common::date(), 9 * 3600);
    let ins = join_all(firsts.iter().map(|(_, t, v)| check(&s, t, v, "check-in"))).await;
    assert!(ins.iter().all(|&st| st == StatusCode::OK), "{ins:?}");
    let (early, late) = firsts.split_at(firsts.len() / 2);
    let (mut expected, mut in_team) = (0, 0);
    for (wave, at) in [(early, 9 * 3600 + 2400), (late, 10 * 3600 + 900)] {
        s.state.clock.set(&common::date(), at);
        let twice = wave.iter().chain(wave.iter());
        let outs = join_all(twice.map(|(_, t, v)| check(&s, t, v, "check-out"))).await;
        let ok = outs.iter().filter(|&&st| st == StatusCode::OK).count();
        assert_eq!(ok, wave.len(), "each visit checked out once: {outs:?}");
        assert!(outs.iter().all(|&st| st == StatusCode::OK || st == StatusCode::CONFLICT));
        expected += wave.len() as i64 * (at - 9 * 3600);
        in_team +=
            wave.iter().filter(|(c, _, _)| members.contains(c)).count() as i64 * (at - 9 * 3600);
    }

    for by in ["client", "caregiver", "team", "station", "month"] {
        let l = ledger(&s, Role::Planner, &format!("by={by}")).await;
        assert_eq!(l["totals"]["seconds"], expected, "by {by}: {l}");
        assert_eq!(l["totals"]["visits"], firsts.len(), "by {by}");
        let rows = l["rows"].as_array().expect("rows");
        let sum: i64 = rows.iter().map(|r| r["seconds"].as_i64().expect("seconds")).sum();
        assert_eq!(sum, expected, "by {by}: the rows add up");
    }
    let by_team = ledger(&s, Role::Dispatcher, "by=team").await;
    let t1 = by_team["rows"].as_array().expect("rows").iter().find(|r| r["key"] == "T1");
    assert_eq!(t1.map_or(0, |r| r["seconds"].as_i64().expect("seconds")), in_team, "{by_team}");

    // A re-plan later, the same figures: a visit books its hours once.
    let replan = json!({"date": DATE}).to_string();
    let answer = s.call(Role::Dispatcher, "POST", "/v1/stations/S1/replan", Some(&replan)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    s.checked_plan().await;
    let again = ledger(&s, Role::Admin, "by=station").await;
    assert_eq!(again["totals"]["seconds"], expected);

    // CSV: the totals line carries the same hours.
    let csv =
        s.call(Role::Dispatcher, "GET", "/v1/ledger?from=2026-11&by=client&format=csv", None).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type.as_deref(), Some("text/csv; charset=utf-8"));
    let last = csv.text.lines().last().expect("a totals line");
    let hours = format!("{:.2}", expected as f64 / 3600.0);
    assert!(last.starts_with(&format!("total,{},{hours},", firsts.len())), "{last}");

    let chart =
        s.call(Role::Planner, "GET", "/v1/ledger?from=2026-11&by=caregiver&format=svg", None).await;
    assert_eq!(chart.content_type.as_deref(), Some("image/svg+xml; charset=utf-8"));
    assert!(chart.text.contains(&firsts[0].0), "every caregiver with hours is a bar");

    // Bad periods are named.
    for (query, field) in [
        ("from=2026-13", "from"),
        ("from=2026-11&to=2026-10", "to"),
        ("by=day", "by"),
        ("format=xml", "format"),
    ] {
        let bad = s.call(Role::Admin, "GET", &format!("/v1/ledger?{query}"), None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", bad.body);
        assert_eq!(bad.body["field"], field, "{query}");
    }
}

both!(ledger_totals, totals_equal_the_finished_visits);
