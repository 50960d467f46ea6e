//! A mixed county day through the live service, on SQLite and PostgreSQL: meal rounds from
//! the canteens, a two-caregiver bath, lunch breaks, a usual caregiver and a refusal, played
//! through check-ins, an urgent order, an absence and a cancellation. Every plan passes the
//! checker, and every re-plan the checker's `locked` rule against the plan before it.

mod common;

use axum::http::StatusCode;
use common::{Service, DATE};
use dispatch_api::auth::Role;
use serde_json::{json, Value};
use solver::check::{check_kept, Kept};
use solver::replan::DayState;
use solver::{Plan, Seconds};
use std::collections::HashSet;

const D: Role = Role::Dispatcher;

/// Gives the first `n` caregivers of S1 a lunch break between 11:30 and 13:30.
async fn lunch_breaks(s: &Service, ids: &[&str]) {
    for id in ids {
        let mut c = s.call(D, "GET", &format!("/v1/caregivers/{id}"), None).await.body;
        c.as_object_mut().expect("object").remove("active");
        c["lunch_break"] = json!({"window": {"start": 41_400, "end": 48_600}, "duration": 1800});
        let put = s.call(D, "PUT", &format!("/v1/caregivers/{id}"), Some(&c.to_string())).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    }
}

/// Posts an order; returns the answer's body.
async fn order(s: &Service, body: Value) -> Value {
    let answer = s.call(D, "POST", "/v1/orders", Some(&body.to_string())).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{body}: {}", answer.body);
    answer.body
}

/// Caregiver `token` checks in or out (`what`) at `visit` at `at` seconds from midnight.
async fn check(s: &Service, token: &str, visit: &str, what: &str, at: i64) {
    s.state.clock.set(&common::date(), at);
    let here = json!({"lon": 1.53, "lat": 42.51}).to_string();
    let path = format!("/v1/me/visits/{visit}/{what}");
    let answer = s.call_as(Some(token), "POST", &path, Some(&here), &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
}

/// Where visit `v` is in `plan`: its caregiver and start.
fn placed(plan: &Plan, v: &str) -> Option<(String, Seconds)> {
    plan.routes
        .iter()
        .find_map(|r| r.stops.iter().find(|s| s.visit == v).map(|s| (r.caregiver.clone(), s.start)))
}

/// The checker's `locked` rule: `after`, made at `now`, kept what `before` had started,
/// checked in or locked.
async fn assert_kept(s: &Service, before: &Plan, after: &Plan, now: i64) {
    let date = common::date();
    let started: HashSet<String> = s
        .state
        .store
        .progress_of_day("S1", &date)
        .await
        .expect("progress")
        .into_iter()
        .map(|p| p.visit)
        .collect();
    let absent: HashSet<String> =
        s.state.store.absent_on(&date).await.expect("absences").into_iter().collect();
    let pinned: HashSet<String> =
        s.state.store.locked_visits("S1", &date).await.expect("locks").into_iter().collect();
    let day = DayState {
        current: before,
        started: &started,
        now: Seconds(now),
        absent: &absent,
        pinned: &pinned,
        tolerance: Seconds(0),
    };
    let kept = day.kept();
    let broken = check_kept(&Kept { before, visits: &kept, now: Seconds(now) }, after);
    assert!(broken.is_empty(), "{broken:?}");
}

async fn a_mixed_day_plans_and_replans_live(s: Service) {
    lunch_breaks(&s, &["C1", "C4", "C7", "C10"]).await;
    // A bath for two bathing caregivers together; a transfer where the second caregiver
    // comes 10 to 20 minutes after the first; a client who wants C16 and refuses C10.
    let bath = order(
        &s,
        json!({"id": "BATH2", "client": "K7", "date": DATE, "service": "bathing",
               "duration": 2400, "windows": [{"start": 32_400, "end": 50_400}],
               "skills": ["bathing"], "caregivers": 2}),
    )
    .await;
    assert_eq!(bath["caregivers"], 2, "{bath}");
    order(
        &s,
        json!({"id": "LIFT", "client": "K10", "date": DATE, "service": "personal_care",
               "duration": 1800, "windows": [{"start": 32_400, "end": 54_000}],
               "caregivers": 2, "min_gap": 600, "max_gap": 1200}),
    )
    .await;
    order(
        &s,
        json!({"id": "USUAL", "client": "K13", "date": DATE, "service": "cleaning",
               "duration": 1800, "windows": [{"start": 32_400, "end": 54_000}],
               "preferred": ["C16"], "refused": ["C10"]}),
    )
    .await;
    // Needs a skill only C22 has: no second caregiver can join, so both visits stay out.
    let mut c22 = s.call(D, "GET", "/v1/caregivers/C22", None).await.body;
    c22.as_object_mut().expect("object").remove("active");
    c22["skills"] = json!(["hoist"]);
    let put = s.call(D, "PUT", "/v1/caregivers/C22", Some(&c22.to_string())).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    order(
        &s,
        json!({"id": "HOIST", "client": "K16", "date": DATE, "service": "personal_care",
               "duration": 1800, "windows": [{"start": 32_400, "end": 54_000}],
               "skills": ["hoist"], "caregivers": 2}),
    )
    .await;

    s.plan_day().await;
    let plan = s.checked_plan().await;
    assert!(plan.routes.iter().flat_map(|r| &r.stops).any(|st| st.pickup_for.is_some()));
    let (a, sa) = placed(&plan, "BATH2:1").expect("the bath's first caregiver");
    let (b, sb) = placed(&plan, "BATH2:2").expect("the bath's second caregiver");
    assert!(a != b && sa == sb, "two caregivers at once: {a} {sa}, {b} {sb}");
    let (_, l1) = placed(&plan, "LIFT:1").expect("planned");
    let (_, l2) = placed(&plan, "LIFT:2").expect("planned");
    assert!((600..=1200).contains(&(l2 - l1).0), "the second 10 to 20 minutes later");
    let (usual, _) = placed(&plan, "USUAL").expect("planned");
    assert_ne!(usual, "C10");
    for part in ["HOIST:1", "HOIST:2"] {
        let out = plan.unassigned.iter().find(|u| u.visit == part).expect("unassigned");
        assert_eq!(out.reason.as_str(), "link", "{part}: {out:?}");
    }
    for r in
        plan.routes.iter().filter(|r| ["C1", "C4", "C7", "C10"].contains(&r.caregiver.as_str()))
    {
        assert!(r.stops.is_empty() || r.break_start.is_some(), "{} lunches", r.caregiver);
    }

    // Both caregivers see the bath, each with the other; each checks in for their part.
    for (me, other) in [(&a, &b), (&b, &a)] {
        let token = s.caregiver_token(me).await;
        let route =
            s.call_as(Some(&token), "GET", &format!("/v1/me/route?date={DATE}"), None, &[]).await;
        let stop = route.body["stops"]
            .as_array()
            .expect("stops")
            .iter()
            .find(|st| st["order"] == "BATH2")
            .expect("the bath on both routes")
            .clone();
        assert_eq!(stop["with"], json!(other), "{stop}");
        check(&s, &token, stop["visit"].as_str().expect("id"), "check-in", sa.0).await;
    }

    // 11:45: an urgent call, while several caregivers are at lunch or about to be.
    let now = 42_300;
    s.state.clock.set(&common::date(), now);
    let urgent = order(
        &s,
        json!({"client": "K19", "date": DATE, "service": "escort", "duration": 1200,
               "windows": [{"start": now, "end": 61_200}], "urgent": true}),
    )
    .await;
    assert!(urgent["assignment"].is_object(), "{urgent}");
    // No caregiver of S1 is a woman: a female-only urgent call stays out, with the planner's
    // reason code.
    let female = order(
        &s,
        json!({"client": "K22", "date": DATE, "service": "personal_care", "duration": 1200,
               "windows": [{"start": now, "end": 61_200}], "urgent": true, "female_only": true}),
    )
    .await;
    let id = female["id"].as_str().expect("id");
    assert!(female["assignment"].is_null(), "{female}");
    let day = s.checked_plan().await;
    let out = day.unassigned.iter().find(|u| u.visit == id).expect("unassigned");
    assert_eq!(out.reason.as_str(), "gender", "{out:?}");
    let after_urgent = s.checked_plan().await;
    assert_kept(&s, &plan, &after_urgent, now).await;
    assert_eq!(placed(&after_urgent, "BATH2:1"), Some((a.clone(), sa)), "started: kept");

    // The lifting order's first caregiver falls ill. If neither part was due yet, both move
    // together, away from them; if the second was due (it stays), the first stays with it.
    let (lifter, _) = placed(&after_urgent, "LIFT:1").expect("planned");
    let (_, l2) = placed(&after_urgent, "LIFT:2").expect("planned");
    let absence = json!({"caregiver": lifter, "date": DATE}).to_string();
    let answer = s.call(D, "POST", "/v1/stations/S1/absences", Some(&absence)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let after_absence = s.checked_plan().await;
    assert_kept(&s, &after_urgent, &after_absence, now).await;
    for part in ["LIFT:1", "LIFT:2"] {
        let Some((c, start)) = placed(&after_absence, part) else { continue };
        if l2.0 >= now {
            assert_ne!(c, lifter, "{part} left the absent caregiver");
            assert!(start.0 >= now, "{part} moved to {start}, before now");
        } else {
            assert_eq!(placed(&after_urgent, part), Some((c, start)), "{part} stays");
        }
    }
    assert_eq!(
        placed(&after_absence, "LIFT:1").is_some(),
        placed(&after_absence, "LIFT:2").is_some(),
        "both or neither"
    );

    // The client cancels the lifting order: both visits leave their routes.
    let cancelled = s.call(D, "POST", "/v1/orders/LIFT/cancel", None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let last = s.checked_plan().await;
    assert_kept(&s, &after_absence, &last, now).await;
    assert!(placed(&last, "LIFT:1").is_none() && placed(&last, "LIFT:2").is_none());

    // The ledger books the bath's client once and each caregiver for their part.
    for (me, part) in [(&a, "BATH2:1"), (&b, "BATH2:2")] {
        check(&s, &s.caregiver_token(me).await, part, "check-out", sa.0 + 2400).await;
    }
    let by_client =
        s.call(Role::Admin, "GET", "/v1/ledger?from=2026-11&to=2026-11&by=client", None).await;
    assert_eq!(by_client.status, StatusCode::OK, "{}", by_client.body);
    let k7 = by_client.body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == "K7")
        .expect("K7 booked")
        .clone();
    assert_eq!((k7["visits"].as_i64(), k7["seconds"].as_i64()), (Some(1), Some(2400)), "{k7}");
    let by_caregiver =
        s.call(Role::Admin, "GET", "/v1/ledger?from=2026-11&to=2026-11&by=caregiver", None).await;
    for me in [&a, &b] {
        let row = by_caregiver.body["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["key"] == json!(me))
            .expect("each caregiver booked")
            .clone();
        assert_eq!(row["seconds"].as_i64(), Some(2400), "{row}");
    }
}

/// Bad two-caregiver orders are refused naming the field; `package-orders` expands a
/// two-caregiver package into one order of two visits.
async fn two_caregiver_orders_and_packages(s: Service) {
    let base = json!({"client": "K7", "date": DATE, "service": "bathing", "duration": 1800,
                      "windows": [{"start": 32_400, "end": 50_400}]});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        body.to_string()
    };
    for (extra, field) in [
        (json!({"caregivers": 3}), "caregivers"),
        (json!({"caregivers": 0}), "caregivers"),
        (json!({"min_gap": 600}), "min_gap"),
        (json!({"caregivers": 2, "min_gap": 900, "max_gap": 600}), "max_gap"),
        (json!({"id": "X:2"}), "id"),
    ] {
        let answer = s.call(D, "POST", "/v1/orders", Some(&with(extra.clone()))).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{extra}: {}", answer.body);
        assert_eq!(answer.body["field"], field, "{}", answer.body);
    }
    let package = json!({"id": "PB", "client": "K7", "service": "bathing", "duration": 2400,
                         "per_week": 7, "days": [0, 1, 2, 3, 4, 5, 6], "windows": [{"start": 32_400, "end": 50_400}],
                         "skills": ["bathing"], "two_caregivers": true});
    let created = s.call(D, "POST", "/v1/packages", Some(&package.to_string())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let day = json!({"date": DATE}).to_string();
    let answer = s.call(D, "POST", "/v1/stations/S1/package-orders", Some(&day)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let id = format!("PB-{DATE}");
    assert_eq!(answer.body["two_caregiver_orders"], json!([id]), "{}", answer.body);
    let stored = s.call(D, "GET", &format!("/v1/orders/{id}"), None).await;
    assert_eq!(stored.body["caregivers"], 2, "{}", stored.body);
    // Each part names its order.
    let part = s.call(D, "GET", &format!("/v1/orders/{id}:2"), None).await;
    assert_eq!(part.body["id"], json!(id), "{}", part.body);
}

both!(mixed_day, a_mixed_day_plans_and_replans_live);
both!(two_caregivers, two_caregiver_orders_and_packages);
