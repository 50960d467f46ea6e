//! Access control, endpoint by endpoint and role by role, on SQLite and PostgreSQL: allowed
//! (anything but 401 and 403), 401 without a token or with an unknown one, 403 with the wrong
//! role; and nobody reads another station's data or another caregiver's route.

mod common;

use axum::http::StatusCode;
use common::{Service, DATE};
use dispatch_api::app::ENDPOINTS;
use dispatch_api::auth::Role;
use dispatch_api::date::PlanDate;
use serde_json::json;
use std::collections::HashSet;

use Role::{Admin as A, Caregiver as C, Dispatcher as D, Planner as P};

/// Every endpoint, a concrete path of it (S1's data; caregiver C1) and the roles allowed.
const TABLE: &[(&str, &str, &str, &[Role])] = &[
    ("get", "/healthz", "/healthz", &[A, D, C, P]),
    ("get", "/readyz", "/readyz", &[A, D, C, P]),
    ("get", "/metrics", "/metrics", &[A, D, C, P]),
    ("get", "/openapi.json", "/openapi.json", &[A, D, C, P]),
    ("post", "/v1/orders", "/v1/orders", &[A, D]),
    ("get", "/v1/orders", "/v1/orders", &[A, D, P]),
    ("get", "/v1/orders/{id}", "/v1/orders/V1", &[A, D, P]),
    ("patch", "/v1/orders/{id}", "/v1/orders/V1", &[A, D]),
    ("post", "/v1/orders/{id}/cancel", "/v1/orders/V4/cancel", &[A, D]),
    ("post", "/v1/plans", "/v1/plans", &[A, D]),
    ("get", "/v1/plans/{id}", "/v1/plans/999", &[A, D, P]),
    ("delete", "/v1/plans/{id}", "/v1/plans/999", &[A, D]),
    ("get", "/v1/plans/{id}/events", "/v1/plans/999/events", &[A, D, P]),
    ("get", "/v1/stations/{id}/events", "/v1/stations/S1/events?after=-1", &[A, D]),
    ("get", "/v1/stations/{id}/plan", "/v1/stations/S1/plan?date=2026-11-25", &[A, D, P]),
    ("post", "/v1/stations/{id}/absences", "/v1/stations/S1/absences", &[A, D]),
    ("delete", "/v1/stations/{id}/absences/{caregiver}", "/v1/stations/S1/absences/C1", &[A, D]),
    ("get", "/v1/stations/{id}/alerts", "/v1/stations/S1/alerts?date=2026-11-25", &[A, D]),
    ("post", "/v1/stations/{id}/package-orders", "/v1/stations/S1/package-orders", &[A, D]),
    ("post", "/v1/stations/{id}/replan", "/v1/stations/S1/replan", &[A, D]),
    ("get", "/v1/stations/{id}/map", "/v1/stations/S1/map", &[A, D, P]),
    ("put", "/v1/stations/{id}/matrix", "/v1/stations/S1/matrix", &[A, D]),
    ("get", "/v1/stations/{id}/matrix", "/v1/stations/S1/matrix", &[A, D, P]),
    ("delete", "/v1/stations/{id}/matrix", "/v1/stations/S1/matrix", &[A, D]),
    ("get", "/v1/stations/{id}/routes.geojson", "/v1/stations/S1/routes.geojson", &[A, D, P]),
    ("get", "/v1/stations/{id}/positions", "/v1/stations/S1/positions", &[A, D]),
    ("post", "/v1/alerts/{id}/acknowledge", "/v1/alerts/late:V1/acknowledge", &[A, D]),
    ("post", "/v1/orders/{id}/lock", "/v1/orders/V1/lock", &[A, D]),
    ("post", "/v1/orders/{id}/assign", "/v1/orders/V1/assign", &[A, D]),
    ("post", "/v1/orders/{id}/unlock", "/v1/orders/V1/unlock", &[A, D]),
    ("get", "/v1/me", "/v1/me", &[A, D, C, P]),
    ("get", "/v1/caregivers/{id}/route", "/v1/caregivers/C1/route?date=2026-11-25", &[A, D, P]),
    ("get", "/v1/me/events", "/v1/me/events", &[C]),
    ("get", "/v1/me/route", "/v1/me/route", &[C]),
    ("get", "/v1/me/route.geojson", "/v1/me/route.geojson", &[C]),
    ("get", "/v1/me/route.ics", "/v1/me/route.ics", &[C]),
    ("post", "/v1/me/visits/{id}/check-in", "/v1/me/visits/V1/check-in", &[C]),
    ("post", "/v1/me/visits/{id}/check-out", "/v1/me/visits/V1/check-out", &[C]),
    ("post", "/v1/me/positions", "/v1/me/positions", &[C]),
    ("get", "/v1/ledger", "/v1/ledger?by=team", &[A, D, P]),
    ("get", "/v1/reports/teams", "/v1/reports/teams", &[A, P]),
    ("post", "/v1/orders/{id}/rating-link", "/v1/orders/V1/rating-link", &[A, D]),
    ("get", "/v1/ratings/{link}", "/v1/ratings/cc_unknown", &[A, D, C, P]),
    ("post", "/v1/ratings/{link}", "/v1/ratings/cc_unknown", &[A, D, C, P]),
    ("get", "/v1/stations/{id}/ratings", "/v1/stations/S1/ratings", &[A, D, P]),
    ("post", "/v1/planner/coverage", "/v1/planner/coverage", &[A, P]),
    ("post", "/v1/planner/site", "/v1/planner/site", &[A, P]),
    ("post", "/v1/planner/simulate", "/v1/planner/simulate", &[A, P]),
    ("get", "/v1/tokens", "/v1/tokens", &[A]),
    ("post", "/v1/tokens", "/v1/tokens", &[A]),
    ("post", "/v1/tokens/{id}/revoke", "/v1/tokens/000000000000/revoke", &[A]),
    ("get", "/v1/{kind}", "/v1/clients", &[A, D, P]),
    ("post", "/v1/{kind}", "/v1/clients", &[A, D]),
    ("post", "/v1/{kind}/import", "/v1/clients/import", &[A, D]),
    ("get", "/v1/{kind}/{id}", "/v1/clients/K1", &[A, D, P]),
    ("put", "/v1/{kind}/{id}", "/v1/clients/K1", &[A, D]),
    ("delete", "/v1/{kind}/{id}", "/v1/clients/K7", &[A, D]),
];

fn public(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/openapi.json" | "/v1/ratings/{link}")
}

#[test]
fn the_table_covers_every_endpoint() {
    let mut listed: Vec<(&str, &str)> = TABLE.iter().map(|(m, p, _, _)| (*m, *p)).collect();
    let mut served: Vec<(&str, &str)> = ENDPOINTS.iter().map(|e| (e.method, e.path)).collect();
    listed.sort();
    served.sort();
    assert_eq!(listed, served, "add new endpoints to TABLE");
}

async fn every_endpoint_and_role(s: Service) {
    for (method, template, path, allowed) in TABLE {
        let method = &method.to_uppercase();
        // An empty object: allowed callers get past access control and stop at validation,
        // so the table changes nothing it would trip over later.
        let body = (method != "GET" && method != "DELETE").then_some("{}");
        if !public(template) {
            let none = s.call_as(None, method, path, body, &[]).await;
            assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{method} {path} without a token");
            let unknown = s.call_as(Some("cc_not-a-token"), method, path, body, &[]).await;
            assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{method} {path} unknown token");
        }
        for role in Role::ALL {
            let stream = ["/v1/stations/{id}/events", "/v1/me/events"].contains(template);
            if stream && allowed.contains(&role) {
                continue; // a stream: opened in the live tests
            }
            let answer = s.call(role, method, path, body).await;
            let denied = matches!(answer.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            if allowed.contains(&role) {
                assert!(!denied, "{method} {path} as {role:?}: {} {}", answer.status, answer.body);
                assert!(
                    !answer.status.is_server_error(),
                    "{method} {path} as {role:?}: {}",
                    answer.body
                );
            } else {
                assert_eq!(
                    answer.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} as {role:?}: {}",
                    answer.body
                );
                assert_eq!(answer.content_type.as_deref(), Some("application/problem+json"));
            }
        }
    }
}

/// The dispatcher of S1 sees and changes nothing of S2, and cannot even tell S2's ids from ids
/// that do not exist: each request about S2 is answered exactly as the same request about
/// unknown ids (S-none, V-none, ...). The caregiver C1 sees only their own route.
async fn nobody_reads_another_stations_data(s: Service) {
    let about_s2 = [
        ("GET", "/v1/stations/S2/plan?date=2026-11-25", None),
        ("GET", "/v1/stations/S2/events", None),
        ("GET", "/v1/stations/S2/alerts?date=2026-11-25", None),
        ("GET", "/v1/stations/S2/map", None),
        ("GET", "/v1/stations/S2/positions", None),
        ("GET", "/v1/stations/S2/routes.geojson?date=2026-11-25", None),
        ("GET", "/v1/stations/S2/matrix", None),
        ("DELETE", "/v1/stations/S2/matrix", None),
        ("GET", "/v1/ledger?station=S2", None),
        ("GET", "/v1/stations/S2/ratings", None),
        ("POST", "/v1/orders/V2/rating-link", None),
        ("POST", "/v1/stations/S2/replan", Some(json!({"date": DATE}))),
        ("POST", "/v1/stations/S2/absences", Some(json!({"caregiver": "C2", "date": DATE}))),
        ("POST", "/v1/stations/S2/package-orders", Some(json!({"date": DATE}))),
        ("POST", "/v1/orders/V2/lock", None),
        ("POST", "/v1/orders/V2/unlock", None),
        ("POST", "/v1/orders/V2/assign", Some(json!({"caregiver": "C1"}))),
        ("PATCH", "/v1/orders/V2", Some(json!({"duration": 900}))),
        ("GET", "/v1/clients/K2", None),
        ("GET", "/v1/caregivers/C2", None),
        ("GET", "/v1/orders/V2", None),
        ("GET", "/v1/orders?station=S2", None),
        ("GET", "/v1/clients?station=S2", None),
        ("GET", "/v1/caregivers/C2/route?date=2026-11-25", None),
        ("POST", "/v1/orders/V2/cancel", None),
        ("DELETE", "/v1/clients/K2", None),
        (
            "POST",
            "/v1/clients",
            Some(
                json!({"id": "K900", "station": "S2", "name": "x", "location": {"lon": 1.52, "lat": 42.5}}),
            ),
        ),
        (
            "POST",
            "/v1/orders",
            Some(
                json!({"client": "K2", "date": DATE, "service": "meal", "duration": 600, "windows": [{"start": 36000, "end": 40000}]}),
            ),
        ),
        ("POST", "/v1/plans", Some(json!({"station": "S2", "date": DATE}))),
    ];
    let unknown = |text: &str| {
        ["S2", "V2", "K2", "C2"]
            .iter()
            .fold(text.to_string(), |t, id| t.replace(id, &id.replace('2', "-none")))
    };
    for (method, path, body) in about_s2 {
        let body = body.map(|b| b.to_string());
        let theirs = s.call(D, method, path, body.as_deref()).await;
        let body_unknown = body.as_deref().map(unknown);
        let none = s.call(D, method, &unknown(path), body_unknown.as_deref()).await;
        assert!(
            theirs.status.is_client_error() || theirs.status == StatusCode::OK,
            "{method} {path}"
        );
        assert_ne!(theirs.status, StatusCode::FORBIDDEN, "{method} {path}: {}", theirs.body);
        assert_eq!(
            (theirs.status, unknown(&theirs.body.to_string())),
            (none.status, none.body.to_string()),
            "dispatcher of S1: {method} {path} must answer as for unknown ids"
        );
        if theirs.status == StatusCode::OK {
            let rows = theirs.body.get("items").unwrap_or(&theirs.body["rows"]);
            assert_eq!(rows, &json!([]), "{method} {path}: {}", theirs.body);
        }
    }
    // Stations are the admin's: the dispatcher's role is refused, whatever the station.
    let station = json!({"id": "S9", "location": {"lon": 1.52, "lat": 42.5}, "circle": {"minutes": 15, "mode": "walk"}});
    let answer = s.call(D, "POST", "/v1/stations", Some(&station.to_string())).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    // Listings hold only the dispatcher's station.
    for path in ["/v1/clients?limit=500", "/v1/orders?limit=500", "/v1/caregivers", "/v1/stations"]
    {
        let page = s.call(D, "GET", path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        let items = page.body["items"].as_array().expect("items");
        assert!(!items.is_empty(), "{path}");
        for item in items {
            let station = item.get("station").unwrap_or(&item["id"]);
            assert_eq!(station, "S1", "{path}: {item}");
        }
    }
    // The caregiver's route is their own: they cannot name another.
    let other = s.call(C, "GET", "/v1/caregivers/C2/route?date=2026-11-25", None).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    s.plan_day().await;
    let mine = s.call(C, "GET", &format!("/v1/me/route?date={DATE}"), None).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["caregiver"], "C1");
    // Checking in at another caregiver's visit is answered as at a visit that does not exist.
    let plan = s.checked_plan().await;
    let foreign = plan
        .routes
        .iter()
        .find(|r| r.caregiver != "C1" && !r.stops.is_empty())
        .expect("another route");
    let visit = &common::orders(foreign)[0].visit;
    let at = json!({"lon": 1.52, "lat": 42.5}).to_string();
    let answer = s.call(C, "POST", &format!("/v1/me/visits/{visit}/check-in"), Some(&at)).await;
    let nowhere = s.call(C, "POST", "/v1/me/visits/NO-SUCH-VISIT/check-in", Some(&at)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    assert_eq!(
        answer.body["detail"].as_str().map(|d| d.replace(visit.as_str(), "?")),
        nowhere.body["detail"].as_str().map(|d| d.replace("NO-SUCH-VISIT", "?"))
    );
}

/// Every phone number of a client: their own and their contacts'.
fn phones_of(client: &formats::scenario::Client) -> Vec<String> {
    let own = client.phone.iter().map(|p| p.as_str().to_string());
    own.chain(client.contacts.iter().map(|c| c.phone.as_str().to_string())).collect()
}

/// The clients of the visits on a route as the caregiver reads it.
fn clients_on(route: &serde_json::Value) -> HashSet<String> {
    let stops = route["stops"].as_array().map(Vec::as_slice).unwrap_or_default();
    stops
        .iter()
        .filter(|s| s["kind"] == "visit")
        .filter_map(|s| s["client"].as_str())
        .map(String::from)
        .collect()
}

/// No number of a client in `others` appears in `text`, unless an own client has it too.
fn none_of_their_numbers(text: &str, own: &HashSet<String>, what: &str) {
    let scenario = common::scenario();
    let own_numbers: HashSet<String> =
        scenario.clients.iter().filter(|c| own.contains(&c.id)).flat_map(phones_of).collect();
    for client in scenario.clients.iter().filter(|c| !own.contains(&c.id)) {
        for number in phones_of(client).iter().filter(|n| !own_numbers.contains(*n)) {
            assert!(!text.contains(number.as_str()), "{what}: {}'s number is shown", client.id);
        }
    }
}

/// A caregiver reads the phones and contacts of the clients they visit today and nobody
/// else's: not those of other caregivers' visits, not of another day's route, not after their
/// visits moved to others. Planners read clients without them; dispatchers with them.
async fn contacts_only_on_the_caregivers_own_visits(s: Service) {
    s.plan_day().await;
    let scenario = common::scenario();
    let mine = s.call(C, "GET", "/v1/me/route", None).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let own = clients_on(&mine.body);
    assert!(!own.is_empty(), "C1 has visits");
    let mut shown = 0;
    for stop in mine.body["stops"].as_array().into_iter().flatten() {
        let Some(client) = stop["client"].as_str().and_then(|id| scenario.client(id)) else {
            continue;
        };
        assert_eq!(stop["phone"], json!(client.phone), "{}", stop["visit"]);
        let contacts: Vec<&str> = stop["contacts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["phone"].as_str())
            .collect();
        let expected: Vec<&str> = client.contacts.iter().map(|c| c.phone.as_str()).collect();
        assert_eq!(contacts, expected, "{}", stop["visit"]);
        shown += contacts.len();
    }
    assert!(shown > 0, "the demo's clients have contacts: {}", mine.body);
    none_of_their_numbers(&mine.text, &own, "today's route");

    // Dispatchers read their clients' numbers; planners the clients without them.
    let planners = s.call(P, "GET", "/v1/clients?limit=500", None).await;
    let dispatchers = s.call(D, "GET", "/v1/clients?limit=500", None).await;
    let with = |page: &serde_json::Value, field: &str| {
        page["items"].as_array().into_iter().flatten().filter(|c| c.get(field).is_some()).count()
    };
    assert!(with(&dispatchers.body, "contacts") > 0, "{}", dispatchers.body);
    assert_eq!((with(&planners.body, "phone"), with(&planners.body, "contacts")), (0, 0));
    let one = s.call(P, "GET", "/v1/clients/K1", None).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert!(one.body.get("contacts").is_none() && one.body.get("name").is_some(), "{}", one.body);

    // The next day, the day before's route holds no numbers.
    let tomorrow = PlanDate::from_days(common::date().days() + 1);
    s.state.clock.set(&tomorrow, 8 * 3600);
    let before = s.call(C, "GET", &format!("/v1/me/route?date={DATE}"), None).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(clients_on(&before.body), own, "the same route");
    none_of_their_numbers(&before.text, &HashSet::new(), "another day's route");

    // C1 falls ill before the first visit: the visits go to others, and their numbers with them.
    s.state.clock.set(&common::date(), 7 * 3600);
    let absent = json!({"caregiver": "C1", "date": DATE}).to_string();
    let answer = s.call(D, "POST", "/v1/stations/S1/absences", Some(&absent)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let after = s.call(C, "GET", "/v1/me/route", None).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    let left = clients_on(&after.body);
    assert!(left.len() < own.len(), "C1's visits moved: {}", after.body);
    none_of_their_numbers(&after.text, &left, "after the visits moved away");
}

both!(endpoints_and_roles, every_endpoint_and_role);
both!(contacts_on_own_visits, contacts_only_on_the_caregivers_own_visits);
both!(station_scope, nobody_reads_another_stations_data);
