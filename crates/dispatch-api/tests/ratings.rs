//! Ratings through one-time links, on SQLite and PostgreSQL: a check-out hands out the link,
//! the family rates once without an account, a low rating raises an alert, a dispatcher's new
//! link retires the old one, and the station sees its ratings.

mod common;

use axum::http::StatusCode;
use common::{Service, DATE};
use dispatch_api::auth::Role;
use serde_json::json;

/// C1 checks in and out of `visit`; the rating link the check-out answer carries.
async fn finish(s: &Service, visit: &str) -> String {
    let at = json!({"lon": 1.53, "lat": 42.51}).to_string();
    for what in ["check-in", "check-out"] {
        let path = format!("/v1/me/visits/{visit}/{what}");
        let answer = s.call(Role::Caregiver, "POST", &path, Some(&at)).await;
        assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.body);
        if what == "check-out" {
            let link = answer.body["rating_link"].as_str().expect("a rating link").to_string();
            assert!(link.starts_with("/rate/cc_"), "{link}");
            return link.trim_start_matches("/rate/").to_string();
        }
    }
    unreachable!()
}

/// What the caregiver's route shows of `visit`'s rating: its link and its stars.
async fn on_my_route(s: &Service, visit: &str) -> (serde_json::Value, serde_json::Value) {
    let route = s.call(Role::Caregiver, "GET", "/v1/me/route", None).await;
    assert_eq!(route.status, StatusCode::OK, "{}", route.body);
    let stops = route.body["stops"].as_array().expect("stops");
    let stop = stops.iter().find(|st| st["visit"] == visit).expect("the visit is on the route");
    (stop["rating_link"].clone(), stop["rated"].clone())
}

/// Without any token, as a family member's phone.
async fn public(
    s: &Service,
    method: &str,
    link: &str,
    body: Option<serde_json::Value>,
) -> common::Answer {
    let body = body.map(|b| b.to_string());
    s.call_as(None, method, &format!("/v1/ratings/{link}"), body.as_deref(), &[]).await
}

async fn families_rate_visits_once(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let route = plan.routes.iter().find(|r| r.caregiver == "C1").expect("C1 works");
    let stops = common::orders(route);
    let (first, second) = (stops[0].visit.clone(), stops[1].visit.clone());
    s.state.clock.set(&common::date(), stops[0].start.0);

    // Before the visit is finished there is nothing to rate.
    let early =
        s.call(Role::Dispatcher, "POST", &format!("/v1/orders/{first}/rating-link"), None).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);

    let link = finish(&s, &first).await;
    // The route read again (a reload, another phone) shows the link until the visit is rated.
    assert_eq!(on_my_route(&s, &first).await, (json!(format!("/rate/{link}")), json!(null)));
    let shown = public(&s, "GET", &link, None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(
        (shown.body["visit"].as_str(), shown.body["rated"].as_bool()),
        (Some(first.as_str()), Some(false))
    );
    assert_eq!(shown.body["date"], DATE);

    for (bad, field) in [
        (json!({"stars": 6}), "stars"),
        (json!({"stars": 0}), "stars"),
        (json!({"stars": 3, "comment": "很".repeat(1001)}), "comment"),
    ] {
        let answer = public(&s, "POST", &link, Some(bad)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert_eq!(answer.body["field"], field);
    }
    let low =
        public(&s, "POST", &link, Some(json!({"stars": 2, "comment": "来晚了二十分钟"}))).await;
    assert_eq!(low.status, StatusCode::CREATED, "{}", low.body);
    let again = public(&s, "POST", &link, Some(json!({"stars": 5}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "rated once: {}", again.body);
    assert_eq!(on_my_route(&s, &first).await, (json!(null), json!(2)), "rated: the link is gone");
    let unknown = public(&s, "GET", "cc_no-such-link", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // The low rating is an alert of the station's day.
    let alerts =
        s.call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/alerts?date={DATE}"), None).await;
    let raised = alerts.body["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["kind"] == "low_rating")
        .cloned()
        .expect("a low-rating alert");
    assert_eq!(raised["visit"], first.as_str());
    assert!(raised["detail"].as_str().is_some_and(|d| d.contains("来晚了")), "{raised}");
    let rated =
        s.call(Role::Dispatcher, "POST", &format!("/v1/orders/{first}/rating-link"), None).await;
    assert_eq!(rated.status, StatusCode::CONFLICT, "a rated visit gets no new link");

    // A new link from the dispatcher retires the first one of the second visit.
    let old = finish(&s, &second).await;
    let new =
        s.call(Role::Dispatcher, "POST", &format!("/v1/orders/{second}/rating-link"), None).await;
    assert_eq!(new.status, StatusCode::CREATED, "{}", new.body);
    let new = new.body["link"].as_str().expect("link").trim_start_matches("/rate/").to_string();
    assert_eq!(public(&s, "GET", &old, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(on_my_route(&s, &second).await.0, json!(format!("/rate/{new}")), "the new link");
    let good = public(&s, "POST", &new, Some(json!({"stars": 5}))).await;
    assert_eq!(good.status, StatusCode::CREATED, "{}", good.body);

    let listed = s
        .call(Role::Planner, "GET", &format!("/v1/stations/S1/ratings?from={DATE}&to={DATE}"), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["count"], 2);
    assert_eq!(listed.body["mean_stars"], 3.5);
    assert_eq!(listed.body["low"], 1);
}

both!(rated_once, families_rate_visits_once);
