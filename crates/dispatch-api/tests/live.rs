//! A station's live day, on SQLite and PostgreSQL: urgent orders inserted into the plan,
//! absences and cancellations re-planned with what happened kept, the station's event stream
//! resuming after Last-Event-ID, the caregiver's route as JSON, GeoJSON and iCalendar,
//! check-in and check-out, and the three alerts. Every re-plan passes the checker.

mod common;

use axum::http::StatusCode;
use common::{read_events, Service, DATE};
use dispatch_api::auth::Role;
use serde_json::{json, Value};
use std::time::Duration;

fn urgent(client: &str, start: i64, end: i64) -> String {
    json!({"client": client, "date": DATE, "service": "medical_escort", "duration": 1200,
           "windows": [{"start": start, "end": end}], "urgent": true})
    .to_string()
}

async fn urgent_orders_are_inserted_and_the_change_is_pushed(s: Service) {
    s.plan_day().await;
    let before = s.checked_plan().await;
    let base = common::listen(&s.state).await;
    let http = reqwest::Client::new();
    let bearer = format!("Bearer {}", s.token(Role::Dispatcher));
    // The stream from now on.
    let stream = http
        .get(format!("{base}/v1/stations/S1/events"))
        .header("authorization", &bearer)
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), reqwest::StatusCode::OK);

    // 09:00: a one-tap call from K4 for between 10:00 and 12:00.
    s.state.clock.set(&common::date(), 9 * 3600);
    let answer =
        s.call(Role::Dispatcher, "POST", "/v1/orders", Some(&urgent("K4", 36_000, 64_800))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let id = answer.body["id"].as_str().expect("id").to_string();
    let assignment = &answer.body["assignment"];
    assert_eq!(assignment["visit"], json!(id), "{}", answer.body);
    let start = assignment["start"].as_i64().expect("start");
    assert!((36_000..=64_800).contains(&start), "inside its window: {start}");
    // Only the new visit is new; the rest moved little.
    let replan = &answer.body["replan"];
    assert_eq!(replan["inserted"].as_array().map(Vec::len), Some(1));
    let after = s.checked_plan().await;
    assert_eq!(after.kpis.visits_served, before.kpis.visits_served + 1);
    let moved = replan["moved"].as_array().expect("moved").len();
    assert!(moved <= 3, "an insertion should move few visits: {moved}");

    // The dispatcher's stream carried the new plan and the assignment.
    let events = tokio::time::timeout(Duration::from_secs(10), read_events(stream, 2 + moved))
        .await
        .expect("events arrive");
    assert_eq!(events[0].0, "plan", "{events:?}");
    assert_eq!(events[0].2["reason"], "urgent");
    assert!(
        events.iter().any(|(e, _, d)| e == "assignment" && d["visit"] == json!(id)),
        "{events:?}"
    );

    // Ids are the station's own numbers, one after the other.
    let numbers: Vec<i64> = events
        .iter()
        .map(|(_, id, _)| {
            let n = id.strip_prefix("S1:").unwrap_or_else(|| panic!("a station id: {id}"));
            n.parse().expect("numbered")
        })
        .collect();
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");

    // Resuming after the first event gives exactly what followed it, in order.
    let resumed = http
        .get(format!("{base}/v1/stations/S1/events"))
        .header("authorization", &bearer)
        .header("Last-Event-ID", &events[0].1)
        .send()
        .await
        .expect("resume");
    let rest =
        tokio::time::timeout(Duration::from_secs(10), read_events(resumed, events.len() - 1))
            .await
            .expect("resumed events");
    let ids: Vec<&str> = rest.iter().map(|(_, id, _)| id.as_str()).collect();
    let expected: Vec<&str> = events[1..].iter().map(|(_, id, _)| id.as_str()).collect();
    assert_eq!(ids, expected);

    // An urgent order that fits nowhere (a window already past) is kept, unassigned.
    s.state.clock.set(&common::date(), 15 * 3600);
    let late =
        s.call(Role::Dispatcher, "POST", "/v1/orders", Some(&urgent("K7", 30_000, 32_000))).await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.body);
    assert_eq!(late.body["assignment"], Value::Null);
    let late_id = late.body["id"].as_str().expect("id");
    assert!(late.body["replan"]["unassigned"]
        .as_array()
        .expect("list")
        .iter()
        .any(|v| v == late_id));
    s.checked_plan().await;
}

/// Started visits stay (with the next ones as planned, as few as close the day, when they
/// alone cannot); the absent caregiver's other visits go to others and are reported as
/// moved; a cancelled visit leaves its route.
async fn absences_and_cancellations_keep_what_happened(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let route = plan.routes.iter().find(|r| r.caregiver == "C1").expect("C1 works");
    let stops = common::orders(route);
    assert!(stops.len() >= 2, "C1 has a day");
    let first = stops[0].clone();
    // C1 starts the first visit, then falls ill.
    s.state.clock.set(&common::date(), first.start.0);
    let here = json!({"lon": 1.53, "lat": 42.51}).to_string();
    let checked = s
        .call(
            Role::Caregiver,
            "POST",
            &format!("/v1/me/visits/{}/check-in", first.visit),
            Some(&here),
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let again = s
        .call(
            Role::Caregiver,
            "POST",
            &format!("/v1/me/visits/{}/check-in", first.visit),
            Some(&here),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // A change the started visit's caregiver may not serve is refused whole (409, the rule
    // named), and the order stays as it was.
    let path = format!("/v1/orders/{}", first.visit);
    let refuse = json!({"refused": ["C1"]}).to_string();
    let changed = s.call(Role::Dispatcher, "PATCH", &path, Some(&refuse)).await;
    assert_eq!(changed.status, StatusCode::CONFLICT, "{}", changed.body);
    assert_eq!(changed.body["code"], "conflict", "{}", changed.body);
    let order = s.call(Role::Dispatcher, "GET", &path, None).await;
    assert!(order.body.get("refused").is_none(), "unchanged: {}", order.body);
    s.checked_plan().await;
    let absent = json!({"caregiver": "C1", "date": DATE}).to_string();
    let answer = s.call(Role::Dispatcher, "POST", "/v1/stations/S1/absences", Some(&absent)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let after = s.checked_plan().await;
    let c1 = after.routes.iter().find(|r| r.caregiver == "C1").expect("C1 keeps the started visit");
    // The started visit stays; so do the next ones as planned only when the day cannot be
    // closed after it alone (the leg home too long, say): as few as close it.
    let kept = common::orders(c1);
    assert!(kept.len() < stops.len(), "C1's day went to others: {kept:?}");
    for (k, stop) in kept.iter().enumerate() {
        assert_eq!((&stop.visit, stop.start), (&stops[k].visit, stops[k].start), "kept as planned");
    }
    let moved = answer.body["replan"]["moved"].as_array().expect("moved");
    for stop in &stops[kept.len()..] {
        let m = moved
            .iter()
            .find(|m| m["visit"] == json!(stop.visit))
            .expect("each remaining visit is reported");
        assert_eq!(m["from_caregiver"], "C1");
        assert_ne!(m["to_caregiver"], "C1");
    }

    // A cancelled visit leaves its route and is reported.
    let other = after.routes.iter().find(|r| r.caregiver != "C1").expect("a route");
    let victim = common::orders(other).last().expect("a stop").visit.clone();
    let cancelled =
        s.call(Role::Dispatcher, "POST", &format!("/v1/orders/{victim}/cancel"), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["order"]["status"], "cancelled");
    let last = s.checked_plan().await;
    assert!(last.routes.iter().all(|r| r.stops.iter().all(|st| st.visit != victim)));

    // C1 comes back after all: the absence is undone, the day re-planned and checked; a
    // second undo finds no absence.
    let undo = format!("/v1/stations/S1/absences/C1?date={DATE}");
    let answer = s.call(Role::Dispatcher, "DELETE", &undo, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["replan"]["reason"], "absence_undone", "{}", answer.body);
    assert!(!s
        .state
        .store
        .absent_on(&common::date())
        .await
        .expect("absences")
        .contains(&"C1".to_string()));
    s.checked_plan().await;
    let again = s.call(Role::Dispatcher, "DELETE", &undo, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    let elsewhere = s
        .call(Role::Dispatcher, "DELETE", &format!("/v1/stations/S1/absences/C2?date={DATE}"), None)
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND, "C2 is S2's: {}", elsewhere.body);
}

async fn caregivers_get_their_route_as_json_geojson_and_ical(s: Service) {
    s.plan_day().await;
    let json_route =
        s.call(Role::Caregiver, "GET", &format!("/v1/me/route?date={DATE}"), None).await;
    assert_eq!(json_route.status, StatusCode::OK, "{}", json_route.body);
    let stops = json_route.body["stops"].as_array().expect("stops").len();
    assert!(stops > 0);
    let geo =
        s.call(Role::Caregiver, "GET", &format!("/v1/me/route.geojson?date={DATE}"), None).await;
    assert_eq!(geo.status, StatusCode::OK);
    assert_eq!(geo.content_type.as_deref(), Some("application/geo+json"));
    let features = geo.body["features"].as_array().expect("features");
    let legs: Vec<&Value> = features.iter().filter(|f| f["properties"]["kind"] == "leg").collect();
    assert_eq!(legs.len(), stops + 1, "out, between each stop, and back");
    // Road paths, not straight lines: most legs bend.
    let bent = legs
        .iter()
        .filter(|l| l["geometry"]["coordinates"].as_array().is_some_and(|c| c.len() > 2))
        .count();
    assert!(bent * 2 > legs.len(), "{bent} of {} legs follow roads", legs.len());
    let ics = s.call(Role::Caregiver, "GET", &format!("/v1/me/route.ics?date={DATE}"), None).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.content_type.as_deref().is_some_and(|c| c.starts_with("text/calendar")));
    assert!(ics.text.starts_with("BEGIN:VCALENDAR\r\n") && ics.text.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.text.matches("BEGIN:VEVENT").count(), stops);
    // 2026-11-25 in China is 2026-11-24/25 in UTC: times are shifted by eight hours.
    let first_start = json_route.body["stops"][0]["start"].as_i64().expect("start") - 8 * 3600;
    let expected =
        format!("DTSTART:20261125T{:02}{:02}", first_start / 3600, (first_start % 3600) / 60);
    assert!(ics.text.contains(&expected), "{expected} in {}", ics.text);
}

async fn alerts_for_lateness_missing_check_out_and_deviation(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let route = plan.routes.iter().find(|r| r.caregiver == "C1").expect("C1 works").clone();
    let stops = common::orders(&route);
    let (first, second) = (&stops[0], &stops[1]);
    // Checked in at the first visit on time, never out; the second never started.
    s.state.clock.set(&common::date(), first.start.0);
    let here = json!({"lon": 1.53, "lat": 42.51}).to_string();
    let answer = s
        .call(
            Role::Caregiver,
            "POST",
            &format!("/v1/me/visits/{}/check-in", first.visit),
            Some(&here),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Never late before its planned start, however long ago its window opened.
    s.state.clock.set(&common::date(), second.start.0 - 1);
    let early = dispatch_api::alerts::scan(&s.state).await.expect("scan");
    let planned: std::collections::HashMap<&str, i64> = plan
        .routes
        .iter()
        .flat_map(|r| &r.stops)
        .map(|st| (st.visit.as_str(), st.start.0))
        .collect();
    for a in early.iter().filter(|a| a.kind == "late") {
        let at = planned[a.visit.as_deref().expect("a visit")];
        assert!(at < second.start.0, "late before its planned start: {a:?}");
    }
    assert!(early.iter().all(|a| a.visit.as_deref() != Some(second.visit.as_str())));
    s.state.clock.set(&common::date(), second.end.0 + 3600);
    let raised = dispatch_api::alerts::scan(&s.state).await.expect("scan");
    let kinds: Vec<(&str, &str)> =
        raised.iter().map(|a| (a.kind.as_str(), a.visit.as_deref().unwrap_or(""))).collect();
    assert!(kinds.contains(&("no_check_out", first.visit.as_str())), "{kinds:?}");
    assert!(kinds.contains(&("late", second.visit.as_str())), "{kinds:?}");
    // Raised once: a second scan adds nothing for them.
    let again = dispatch_api::alerts::scan(&s.state).await.expect("scan");
    assert!(again.iter().all(|a| a.visit.as_deref() != Some(first.visit.as_str())));

    // Far off the path (the other end of Andorra) for ten minutes: a deviation alert.
    let away = json!({"lon": 1.45, "lat": 42.46}).to_string();
    let t0 = second.end.0 + 3600;
    let first_fix = s.call(Role::Caregiver, "POST", "/v1/me/positions", Some(&away)).await;
    assert_eq!(first_fix.status, StatusCode::OK, "{}", first_fix.body);
    assert!(
        first_fix.body["off_path_m"].as_f64().is_some_and(|d| d > 1000.0),
        "{}",
        first_fix.body
    );
    assert_eq!(first_fix.body["alert"], Value::Null, "not yet: just left the path");
    s.state.clock.set(&common::date(), t0 + 600);
    let later = s.call(Role::Caregiver, "POST", "/v1/me/positions", Some(&away)).await;
    assert_eq!(later.body["alert"]["kind"], "deviation", "{}", later.body);
    // On the path again: no alert.
    let stop_location =
        s.call(Role::Caregiver, "GET", &format!("/v1/me/route?date={DATE}"), None).await.body
            ["stops"][1]["location"]
            .clone();
    let back =
        s.call(Role::Caregiver, "POST", "/v1/me/positions", Some(&stop_location.to_string())).await;
    assert!(back.body["off_path_m"].as_f64().is_some_and(|d| d < 300.0), "{}", back.body);
    let alerts =
        s.call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/alerts?date={DATE}"), None).await;
    let kinds: Vec<&str> = alerts.body["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    for kind in ["late", "no_check_out", "deviation"] {
        assert!(kinds.contains(&kind), "{kind} stored: {kinds:?}");
    }
    // Each with its stable code and the parameters the pages write it from.
    let stored = |kind: &str, of: (&str, &str)| {
        alerts.body["alerts"]
            .as_array()
            .and_then(|all| all.iter().find(|a| a["kind"] == kind && a[of.0] == of.1).cloned())
            .unwrap_or_else(|| panic!("no {kind} alert of {of:?}: {}", alerts.body))
    };
    let late = stored("late", ("visit", &second.visit));
    assert_eq!(late["params"]["visit"], second.visit.as_str(), "{late}");
    assert_eq!(late["params"]["caregiver"], "C1", "{late}");
    assert_eq!(late["params"]["planned_start"], second.start.0, "{late}");
    // Late from the grace after its planned start, or sooner when its window closed first.
    match late["code"].as_str() {
        Some("late.after_start") => {
            assert!(late["params"]["minutes"].as_i64().is_some_and(|m| m >= 15), "{late}")
        }
        Some("late.window_closed") => {
            let end = late["params"]["window_end"].as_i64().unwrap_or(0);
            assert!(end >= second.start.0 && end < second.start.0 + 900, "{late}");
        }
        _ => panic!("a late alert's code: {late}"),
    }
    let open = stored("no_check_out", ("visit", &first.visit));
    assert_eq!(open["params"]["check_in"], first.start.0, "{open}");
    let off = stored("deviation", ("caregiver", "C1"));
    assert!(off["params"]["metres"].as_i64().is_some_and(|m| m > 1000), "{off}");
    assert_eq!(off["params"]["since"], t0, "{off}");
    // The station sees where its caregivers were last.
    let positions = s
        .call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/positions?date={DATE}"), None)
        .await;
    assert_eq!(positions.body["positions"][0]["caregiver"], "C1", "{}", positions.body);
    // Acknowledged once, by the dispatcher's token; a second acknowledgement changes nothing.
    let late = format!("/v1/alerts/late:{}/acknowledge", second.visit);
    let acked = s.call(Role::Dispatcher, "POST", &late, None).await;
    assert_eq!(acked.status, StatusCode::OK, "{}", acked.body);
    let by = acked.body["acked_by"].as_str().expect("acked_by").to_string();
    assert!(acked.body["acked_at"].is_i64(), "{}", acked.body);
    let again = s.call(Role::Admin, "POST", &late, None).await;
    assert_eq!(again.body["acked_by"].as_str(), Some(by.as_str()), "{}", again.body);
    let missing =
        s.call(Role::Dispatcher, "POST", "/v1/alerts/late:nothing/acknowledge", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// What the console does besides orders: a locked visit keeps its caregiver and start through
/// a re-plan started by hand, an unplanned visit cannot be locked, and the station's map has
/// its circle, roads and clients.
async fn locks_manual_replans_and_the_station_map(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let route = plan.routes.iter().find(|r| common::orders(r).len() >= 2).expect("a route of two");
    let kept = &common::orders(route)[1];
    let lock =
        s.call(Role::Dispatcher, "POST", &format!("/v1/orders/{}/lock", kept.visit), None).await;
    assert_eq!(lock.status, StatusCode::OK, "{}", lock.body);
    assert_eq!(lock.body["caregiver"], route.caregiver.as_str());
    let day =
        s.call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/plan?date={DATE}"), None).await;
    assert_eq!(day.body["locked"], json!([kept.visit]), "{}", day.body);
    // Early in the day, with nothing started, a re-plan could move everything.
    s.state.clock.set(&common::date(), 0);
    let replan = s
        .call(
            Role::Dispatcher,
            "POST",
            "/v1/stations/S1/replan",
            Some(&json!({"date": DATE}).to_string()),
        )
        .await;
    assert_eq!(replan.status, StatusCode::OK, "{}", replan.body);
    assert_eq!(replan.body["replan"]["reason"], "manual");
    let after = s.checked_plan().await;
    let now = after
        .routes
        .iter()
        .find_map(|r| {
            r.stops.iter().find(|st| st.visit == kept.visit).map(|st| (&r.caregiver, st.start))
        })
        .expect("the locked visit is planned");
    assert_eq!(now, (&route.caregiver, kept.start));
    let unlock =
        s.call(Role::Dispatcher, "POST", &format!("/v1/orders/{}/unlock", kept.visit), None).await;
    assert_eq!(unlock.body["locked"], false, "{}", unlock.body);
    let day =
        s.call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/plan?date={DATE}"), None).await;
    assert_eq!(day.body["locked"], json!([]), "{}", day.body);

    // A visit in no route cannot be locked: there is no caregiver and time to keep.
    let order = json!({"client": "K1", "date": DATE, "service": "meal", "duration": 600,
                       "windows": [{"start": 100, "end": 200}]});
    let created = s.call(Role::Dispatcher, "POST", "/v1/orders", Some(&order.to_string())).await;
    let id = created.body["id"].as_str().expect("id").to_string();
    let refused = s.call(Role::Dispatcher, "POST", &format!("/v1/orders/{id}/lock"), None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);

    let map = s.call(Role::Dispatcher, "GET", "/v1/stations/S1/map", None).await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.body);
    assert!(map.body["circle"]["geometry"]["coordinates"][0]
        .as_array()
        .is_some_and(|r| r.len() > 3));
    assert!(map.body["roads"]["geometry"]["coordinates"].as_array().is_some_and(|l| l.len() > 10));
    assert_eq!(map.body["station"]["id"], "S1");
    assert!(map.body["clients"].as_array().is_some_and(|c| !c.is_empty()));
    // The day's routes on the roads: one line per route, from the station through every stop
    // and back, following the streets (more points than stops).
    let day =
        s.call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/plan?date={DATE}"), None).await;
    let routes = day.body["plan"]["routes"].as_array().expect("routes");
    let lines = s
        .call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/routes.geojson?date={DATE}"), None)
        .await;
    assert_eq!(lines.status, StatusCode::OK, "{}", lines.body);
    let features = lines.body["features"].as_array().expect("features");
    assert_eq!(features.len(), routes.len(), "{}", lines.body);
    for route in routes {
        let (caregiver, stops) = (&route["caregiver"], route["stops"].as_array().expect("stops"));
        let line = features
            .iter()
            .find(|f| f["properties"]["caregiver"] == *caregiver)
            .unwrap_or_else(|| panic!("no line for {caregiver}"));
        assert_eq!(line["properties"]["roads"], true);
        let points = line["geometry"]["coordinates"].as_array().expect("coordinates");
        assert!(points.len() > stops.len() + 2, "{caregiver} follows the roads: {line}");
    }
    // Only the routes asked for (a console fetches those whose places changed).
    let first = routes[0]["caregiver"].as_str().expect("caregiver");
    let path = format!("/v1/stations/S1/routes.geojson?date={DATE}&caregivers={first}");
    let one = s.call(Role::Dispatcher, "GET", &path, None).await;
    let features = one.body["features"].as_array().expect("features");
    assert_eq!(features.len(), 1, "{}", one.body);
    assert_eq!(features[0]["properties"]["caregiver"], first);
}

/// A check-in at another visit than the next one on the route is marked for the dispatcher,
/// with the caregiver's reason on the stream and in the day's progress.
async fn check_ins_out_of_route_order_carry_a_reason(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let route = plan.routes.iter().find(|r| r.caregiver == "C1").expect("C1 works");
    let stops = common::orders(route);
    assert!(stops.len() >= 3, "C1 has a day");
    s.state.clock.set(&common::date(), stops[0].start.0);
    let s = &s;
    let check_in = |visit: &str, body: Value| {
        let path = format!("/v1/me/visits/{visit}/check-in");
        async move { s.call(Role::Caregiver, "POST", &path, Some(&body.to_string())).await }
    };
    let at = json!({"lon": 1.53, "lat": 42.51});
    let in_order = check_in(&stops[0].visit, at.clone()).await;
    assert_eq!(in_order.status, StatusCode::OK, "{}", in_order.body);
    assert_eq!(in_order.body["out_of_order"], false, "{}", in_order.body);
    let why = "家属要求先去这里";
    let skipped =
        check_in(&stops[2].visit, json!({"lon": 1.53, "lat": 42.51, "reason": why})).await;
    assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.body);
    assert_eq!(
        (&skipped.body["out_of_order"], &skipped.body["reason"]),
        (&json!(true), &json!(why))
    );
    let long =
        check_in(&stops[1].visit, json!({"lon": 1.53, "lat": 42.51, "reason": "x".repeat(501)}))
            .await;
    assert_eq!(
        (long.status, &long.body["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("reason")),
        "{}",
        long.body
    );
    let path = format!("/v1/me/visits/{}/check-out", stops[0].visit);
    let out = s
        .call(
            Role::Caregiver,
            "POST",
            &path,
            Some(&json!({"lon": 1.53, "lat": 42.51, "reason": "no"}).to_string()),
        )
        .await;
    assert_eq!(out.body["field"], "reason", "only a check-in takes a reason: {}", out.body);
    // Without a position (the phone refused it) the check-in is still recorded, unverified;
    // half a position is refused naming the missing half.
    let half = check_in(&stops[1].visit, json!({"lon": 1.53})).await;
    assert_eq!(
        (half.status, &half.body["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("lat"))
    );
    let blind = check_in(&stops[1].visit, json!({})).await;
    assert_eq!(blind.status, StatusCode::OK, "{}", blind.body);
    assert_eq!((&blind.body["verified"], &blind.body["lon"]), (&json!(false), &Value::Null));
    // The dispatcher sees it in the day's progress and on the stream.
    let day =
        s.call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/plan?date={DATE}"), None).await;
    let progress = day.body["progress"].as_array().expect("progress");
    let mine = progress.iter().find(|p| p["visit"] == json!(stops[2].visit)).expect("checked in");
    assert_eq!(mine["check_in_reason"], why);
    assert_eq!(mine["verified"], true);
    let blind = progress.iter().find(|p| p["visit"] == json!(stops[1].visit)).expect("in");
    assert_eq!(blind["verified"], false, "{blind}");
    let events = s.state.store.events_after("S1", 0, 10_000).await.expect("events");
    assert!(events.iter().any(|e| e.kind == "check-in"
        && e.data["reason"] == why
        && e.data["out_of_order"] == true));
    assert!(events.iter().any(|e| e.kind == "check-in" && e.data["verified"] == false));
}

/// The day as a spreadsheet: one line per stop of every route, in route order.
async fn the_day_exports_as_csv(s: Service) {
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let url = format!("/v1/stations/S1/plan?date={DATE}&format=csv");
    let zh = s.call(Role::Dispatcher, "GET", &url, None).await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.text);
    assert!(zh.content_type.as_deref().is_some_and(|t| t.starts_with("text/csv")));
    let text = zh.text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rows.headers().expect("header").get(0), Some("护理员"));
    let lines: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("a line")).collect();
    let stops: Vec<(&str, &str)> = plan
        .routes
        .iter()
        .flat_map(|r| r.stops.iter().map(move |st| (r.caregiver.as_str(), st.visit.as_str())))
        .collect();
    let listed: Vec<(&str, &str)> =
        lines.iter().map(|l| (l.get(0).unwrap_or(""), l.get(2).unwrap_or(""))).collect();
    assert_eq!(listed, stops, "every stop, in route order");
    assert!(lines.iter().all(|l| l.get(4).is_some_and(|t| t.len() == 5 && t.contains(':'))));
    assert!(lines.iter().any(|l| !l.get(8).unwrap_or("").is_empty()), "client names");
    let en = s.call(Role::Dispatcher, "GET", &format!("{url}&lang=en"), None).await;
    assert!(en.text.trim_start_matches('\u{feff}').starts_with("caregiver,caregiver_name,visit"));
    let bad = s
        .call(
            Role::Dispatcher,
            "GET",
            &format!("/v1/stations/S1/plan?date={DATE}&format=xml"),
            None,
        )
        .await;
    assert_eq!(bad.body["field"], "format", "{}", bad.text);
}

async fn a_caregiver_hears_only_what_changed_on_their_own_route(s: Service) {
    s.plan_day().await;
    let before = s.checked_plan().await;
    let seen = s.state.store.last_event_seq("S1").await.expect("seq");
    s.state.clock.set(&common::date(), 9 * 3600);
    let answer =
        s.call(Role::Dispatcher, "POST", "/v1/orders", Some(&urgent("K4", 36_000, 64_800))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let id = answer.body["id"].as_str().expect("id").to_string();
    let who = answer.body["assignment"]["caregiver"].as_str().expect("assigned").to_string();
    let after = s.checked_plan().await;
    let base = common::listen(&s.state).await;
    let http = reqwest::Client::new();
    let stream_of = |caregiver: String| {
        let (http, base) = (http.clone(), base.clone());
        let s = &s;
        async move {
            let token = s.caregiver_token(&caregiver).await;
            http.get(format!("{base}/v1/me/events?after=S1:{seen}"))
                .header("authorization", format!("Bearer {token}"))
                .send()
                .await
                .expect("stream")
        }
    };
    // The caregiver given the urgent visit hears of it, with their stops now.
    let stream = stream_of(who.clone()).await;
    assert_eq!(stream.status(), reqwest::StatusCode::OK);
    let events = tokio::time::timeout(Duration::from_secs(10), read_events(stream, 1))
        .await
        .expect("the route event arrives");
    let (kind, event_id, news) = &events[0];
    assert_eq!(kind, "route", "{events:?}");
    assert!(event_id.starts_with("S1:"), "{event_id}");
    assert!(news["added"].as_array().expect("added").iter().any(|a| a["visit"] == json!(id)));
    let mine: Vec<String> = after
        .routes
        .iter()
        .filter(|r| r.caregiver == who)
        .flat_map(common::orders)
        .map(|st| st.visit)
        .collect();
    assert_eq!(news["stops"], json!(mine), "{news}");
    // A caregiver whose route the re-plan left as it was hears nothing.
    let route_of = |plan: &solver::Plan, c: &str| -> Vec<(String, i64)> {
        plan.routes
            .iter()
            .filter(|r| r.caregiver == c)
            .flat_map(common::orders)
            .map(|st| (st.visit, st.start.0))
            .collect()
    };
    let calm = after
        .routes
        .iter()
        .map(|r| r.caregiver.clone())
        .find(|c| *c != who && route_of(&before, c) == route_of(&after, c))
        .expect("a caregiver the re-plan did not touch");
    let stream = stream_of(calm.clone()).await;
    let heard = tokio::time::timeout(Duration::from_secs(2), read_events(stream, 1)).await;
    assert!(heard.is_err(), "{calm} heard of others' changes: {heard:?}");
    // Only caregivers have a stream of their own.
    let refused = s.call(Role::Dispatcher, "GET", "/v1/me/events", None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

both!(my_events, a_caregiver_hears_only_what_changed_on_their_own_route);
both!(urgent_insertion, urgent_orders_are_inserted_and_the_change_is_pushed);
both!(day_csv, the_day_exports_as_csv);
both!(check_in_reasons, check_ins_out_of_route_order_carry_a_reason);
both!(absence_and_cancel, absences_and_cancellations_keep_what_happened);
both!(caregiver_route, caregivers_get_their_route_as_json_geojson_and_ical);
both!(alerts, alerts_for_lateness_missing_check_out_and_deviation);
both!(console_actions, locks_manual_replans_and_the_station_map);
