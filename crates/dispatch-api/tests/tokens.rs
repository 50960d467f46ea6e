//! Tokens can be listed, made with an expiry and revoked, on SQLite and PostgreSQL: a revoked
//! or expired token is refused on its next request, at once on the replica that revoked it
//! and within five seconds on another replica of the same database.

mod common;

use axum::http::StatusCode;
use common::{Backend, Service};
use dispatch_api::auth::{create_expiring_token, Role};
use serde_json::json;
use std::time::{Duration, Instant};

async fn tokens_expire_and_revoke(backend: Backend) {
    let Some((db_url, _dir)) = common::database(backend).await else { return };
    let config = |url: &str| {
        let mut c = dispatch_api::ServeConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            url.to_string(),
            common::scenario(),
            Some(common::network()),
            Duration::from_secs(1),
        );
        c.clock = dispatch_api::clock::Clock::fixed(&common::date(), 8 * 3600);
        c
    };
    let one =
        Service::from_state(dispatch_api::build_state(&config(&db_url)).await.expect("one")).await;
    let two =
        Service::from_state(dispatch_api::build_state(&config(&db_url)).await.expect("two")).await;

    // An admin makes a dispatcher token over the API; it works, and lists without its secret.
    let body =
        json!({"role": "dispatcher", "stations": ["S1"], "label": "夜班", "expires_in_days": 30});
    let made = one.call(Role::Admin, "POST", "/v1/tokens", Some(&body.to_string())).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let (id, token) =
        (made.body["id"].as_str().expect("id"), made.body["token"].as_str().expect("token"));
    let orders = "/v1/orders?station=S1";
    assert_eq!(one.call_as(Some(token), "GET", orders, None, &[]).await.status, StatusCode::OK);
    assert_eq!(two.call_as(Some(token), "GET", orders, None, &[]).await.status, StatusCode::OK);
    let list = one.call(Role::Admin, "GET", "/v1/tokens", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.text.contains(token), "a list never shows a secret");
    let listed =
        list.body["tokens"].as_array().expect("tokens").iter().find(|t| t["id"] == id).cloned();
    let listed = listed.expect("the new token is listed");
    assert_eq!(listed["role"], "dispatcher");
    assert!(listed["expires_ms"].is_i64() && listed["revoked_ms"].is_null());
    let forbidden = one.call(Role::Dispatcher, "GET", "/v1/tokens", None).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    // Revoked on replica one: refused there at once, on replica two within five seconds.
    let revoked = one.call(Role::Admin, "POST", &format!("/v1/tokens/{id}/revoke"), None).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let refused = one.call_as(Some(token), "GET", orders, None, &[]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.text.contains("revoked"), "{}", refused.text);
    let started = Instant::now();
    while two.call_as(Some(token), "GET", orders, None, &[]).await.status
        != StatusCode::UNAUTHORIZED
    {
        assert!(started.elapsed() < Duration::from_millis(5_500), "replica two still takes it");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let unknown = one.call(Role::Admin, "POST", "/v1/tokens/000000000000/revoke", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Expired: refused with the reason.
    let past = dispatch_api::store::now_ms() - 1;
    let old = create_expiring_token(&one.state.store, Role::Planner, &[], None, "old", Some(past))
        .await
        .expect("token");
    let refused = one.call_as(Some(&old), "GET", orders, None, &[]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.text.contains("expired"), "{}", refused.text);
    let bad = json!({"role": "planner", "expires_in_days": 0}).to_string();
    let answer = one.call(Role::Admin, "POST", "/v1/tokens", Some(&bad)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.body["field"], "expires_in_days");
}

#[tokio::test]
async fn tokens_expire_and_revoke_on_sqlite() {
    tokens_expire_and_revoke(Backend::Sqlite).await;
}

#[tokio::test]
async fn tokens_expire_and_revoke_on_postgres() {
    tokens_expire_and_revoke(Backend::Postgres).await;
}
