//! A dispatcher's hand on the day, on SQLite and PostgreSQL: `POST /v1/orders/{id}/assign`
//! puts a visit on another caregiver's route (where it fits, or at a given start), the plan
//! passes the checker, the visit is locked there and stays through a re-plan; an assignment
//! that breaks a rule is refused with problem+json naming the rule and the field.

mod common;

use axum::http::StatusCode;
use common::{Service, DATE};
use dispatch_api::auth::Role::{Caregiver as C, Dispatcher as D};
use serde_json::{json, Value};

async fn assign(s: &Service, visit: &str, body: Value) -> common::Answer {
    let path = format!("/v1/orders/{visit}/assign");
    s.call(D, "POST", &path, Some(&body.to_string())).await
}

/// Where `visit` is in `plan`: caregiver and start.
fn placed(plan: &solver::Plan, visit: &str) -> Option<(String, i64)> {
    plan.routes.iter().find_map(|r| {
        r.stops.iter().find(|s| s.visit == visit).map(|s| (r.caregiver.clone(), s.start.0))
    })
}

/// The visits still to come (the test's clock stands at 08:00) a dispatcher may move alone.
fn lone_visits(plan: &solver::Plan) -> Vec<(String, String)> {
    common::lone_visits(plan, 8 * 3600)
}

async fn a_dispatcher_moves_a_visit_by_hand(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let scenario = common::scenario();
    let others: Vec<String> =
        scenario.caregivers.iter().filter(|c| c.station == "S1").map(|c| c.id.clone()).collect();
    // The first lone visit some other caregiver can take: every refusal on the way names a
    // rule and a field.
    let mut done = None;
    'search: for (visit, from) in lone_visits(&plan) {
        for to in others.iter().filter(|c| **c != from) {
            let answer = assign(&s, &visit, json!({"caregiver": to})).await;
            match answer.status {
                StatusCode::OK => {
                    done = Some((visit, to.clone(), answer.body));
                    break 'search;
                }
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert!(
                        answer.body["rule"].as_str().is_some_and(|r| !r.is_empty()),
                        "{}",
                        answer.body
                    );
                    assert_eq!(answer.body["field"], "caregiver", "{}", answer.body);
                    assert_eq!(answer.content_type.as_deref(), Some("application/problem+json"));
                }
                other => panic!("{visit} to {to}: {other} {}", answer.body),
            }
        }
    }
    let (visit, to, answer) = done.expect("some visit can go to another caregiver");
    assert_eq!(answer["visit"], visit.as_str());
    let after = s.checked_plan().await;
    let (caregiver, start) = placed(&after, &visit).expect("still planned");
    assert_eq!(caregiver, to);
    let day = s.call(D, "GET", &format!("/v1/stations/S1/plan?date={DATE}"), None).await;
    assert!(
        day.body["locked"].as_array().is_some_and(|l| l.contains(&json!(visit))),
        "{}",
        day.body
    );

    // A re-plan keeps it where the dispatcher put it.
    let replan =
        s.call(D, "POST", "/v1/stations/S1/replan", Some(&json!({"date": DATE}).to_string())).await;
    assert_eq!(replan.status, StatusCode::OK, "{}", replan.body);
    let again = s.checked_plan().await;
    assert_eq!(placed(&again, &visit), Some((to.clone(), start)), "kept through a re-plan");

    // At a given start: there, or refused naming the start. Midnight is before any window.
    // (Another of the caregiver's own visits, which they may serve.)
    let (other, _) = lone_visits(&again)
        .into_iter()
        .find(|(v, c)| *v != visit && *c == to)
        .expect("another visit of theirs");
    let at = assign(&s, &other, json!({"caregiver": to, "start": 0})).await;
    assert_eq!(at.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", at.body);
    assert_eq!(at.body["field"], "start", "{}", at.body);
    assert!(at.body["rule"].as_str().is_some_and(|r| !r.is_empty()), "{}", at.body);
    let rule = at.body["rule"].as_str().unwrap_or_default();
    assert_eq!(at.body["code"], format!("rule.{rule}"), "{}", at.body);
    assert_eq!(at.body["params"]["rule"], rule, "{}", at.body);
    assert_eq!(placed(&s.checked_plan().await, &other), placed(&again, &other), "nothing moved");
}

async fn assignments_that_break_a_rule_are_refused(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let scenario = common::scenario();
    // Skills: a visit needing a skill, to a caregiver without it.
    let skilled = lone_visits(&plan).into_iter().find_map(|(v, _)| {
        let needs = &scenario.visits.iter().find(|x| x.id == v)?.skills;
        let lacks = scenario
            .caregivers
            .iter()
            .find(|c| c.station == "S1" && needs.iter().any(|skill| !c.skills.contains(skill)))?;
        Some((v, lacks.id.clone()))
    });
    let (visit, lacks) = skilled.expect("a visit needing a skill some caregiver lacks");
    let answer = assign(&s, &visit, json!({"caregiver": lacks})).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(
        (answer.body["rule"].as_str(), answer.body["field"].as_str()),
        (Some("skills"), Some("caregiver"))
    );

    // Nobody of the day, and bad bodies.
    let (visit, from) = lone_visits(&plan).into_iter().next().expect("a visit");
    for (body, field) in [
        (json!({"caregiver": "C-none"}), "caregiver"),
        (json!({"caregiver": from, "start": -5}), "start"),
        (json!({"who": from}), "who"),
    ] {
        let answer = assign(&s, &visit, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.body["field"], field, "{body}: {}", answer.body);
    }

    // An absent caregiver takes nothing; a started visit stays.
    let absent = plan.routes.iter().map(|r| r.caregiver.clone()).find(|c| *c != from && c != "C1");
    let absent = absent.expect("another caregiver");
    let body = json!({"caregiver": absent, "date": DATE}).to_string();
    let marked = s.call(D, "POST", "/v1/stations/S1/absences", Some(&body)).await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
    let answer = assign(&s, &visit, json!({"caregiver": absent})).await;
    assert_eq!(answer.body["rule"], "absent", "{}", answer.body);
    let now = s.checked_plan().await;
    let route = now.routes.iter().find(|r| r.caregiver == "C1").expect("C1 works");
    let first = common::orders(route).first().expect("a visit").clone();
    s.state.clock.set(&common::date(), first.start.0);
    let here = json!({"lon": 1.53, "lat": 42.51}).to_string();
    let path = format!("/v1/me/visits/{}/check-in", first.visit);
    let checked = s.call(C, "POST", &path, Some(&here)).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let to = now.routes.iter().map(|r| r.caregiver.clone()).find(|c| c != "C1" && *c != absent);
    let answer = assign(&s, &first.visit, json!({"caregiver": to.expect("a colleague")})).await;
    assert_eq!(answer.body["rule"], "locked", "{}", answer.body);
    s.checked_plan().await;
}

both!(by_hand, a_dispatcher_moves_a_visit_by_hand);
both!(refused, assignments_that_break_a_rule_are_refused);
