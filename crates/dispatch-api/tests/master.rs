//! Master data through the API, on SQLite and PostgreSQL: create, read, replace, deactivate,
//! list with filters and cursor pagination, and bulk import from CSV with Chinese headers and
//! names (all rows or none); canteens, whose meals the station's day then plans as meal
//! rounds with the pick-ups on the caregivers' routes.

mod common;

use axum::http::StatusCode;
use common::Service;
use dispatch_api::auth::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const D: Role = Role::Dispatcher;

async fn create_read_replace_deactivate(s: Service) {
    let client = json!({"id": "K900", "name": "孙桂英", "station": "S1",
                        "location": {"lon": 1.5300, "lat": 42.5110, "crs": "wgs84"}, "address": "Carrer Major 3"});
    let created = s.call(D, "POST", "/v1/clients", Some(&client.to_string())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["active"], true);
    let again = s.call(D, "POST", "/v1/clients", Some(&client.to_string())).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let read = s.call(D, "GET", "/v1/clients/K900", None).await;
    assert_eq!(read.body["name"], "孙桂英");

    // GCJ-02 from a phone map is kept as given and converted where routes are made.
    let mut moved = client.clone();
    moved["location"] = json!({"lon": 1.5300, "lat": 42.5110, "crs": "gcj02"});
    let put = s.call(D, "PUT", "/v1/clients/K900", Some(&moved.to_string())).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["location"]["crs"], "gcj02");
    let wrong_id = s.call(D, "PUT", "/v1/clients/K901", Some(&moved.to_string())).await;
    assert_eq!(wrong_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_id.body["field"], "id");

    let gone = s.call(D, "DELETE", "/v1/clients/K900", None).await;
    assert_eq!(gone.status, StatusCode::OK);
    assert_eq!(gone.body["active"], false);
    let inactive = s.call(D, "GET", "/v1/clients?active=false", None).await;
    let ids: Vec<&Value> =
        inactive.body["items"].as_array().expect("items").iter().map(|c| &c["id"]).collect();
    assert_eq!(ids, vec![&json!("K900")]);

    // Bad rows are refused naming the field; a home off every road too.
    let cases = [
        (
            json!({"id": "K902", "station": "S1", "location": {"lon": 1.53, "lat": 95.0}}),
            "location.lat",
        ),
        (
            json!({"id": "K903", "station": "S9", "location": {"lon": 1.53, "lat": 42.51}}),
            "station",
        ),
        (
            json!({"id": "K904", "station": "S1", "location": {"lon": 1.53, "lat": 42.51, "crs": "mars"}}),
            "location.crs",
        ),
        (json!({"id": "K905", "station": "S1", "location": {"lon": 1.0, "lat": 42.0}}), "location"),
        (
            json!({"id": "C900", "station": "S1", "shift": {"start": 50000, "end": 40000}, "mode": "walk"}),
            "shift",
        ),
    ];
    for (body, field) in cases {
        let kind = if body["id"].as_str().is_some_and(|id| id.starts_with('C')) {
            "caregivers"
        } else {
            "clients"
        };
        let answer = s.call(D, "POST", &format!("/v1/{kind}"), Some(&body.to_string())).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.body["field"], field, "{}", answer.body);
    }
}

async fn pages_follow_the_cursor_without_gaps_or_repeats(s: Service) {
    let mut seen = BTreeSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/v1/clients?station=S1&limit=7&cursor={c}"),
            None => "/v1/clients?station=S1&limit=7".to_string(),
        };
        let page = s.call(Role::Admin, "GET", &uri, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for item in page.body["items"].as_array().expect("items") {
            assert!(seen.insert(item["id"].as_str().expect("id").to_string()), "repeated {item}");
            assert_eq!(item["station"], "S1");
        }
        pages += 1;
        match page.body["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let expected = common::scenario().clients.iter().filter(|c| c.station == "S1").count();
    assert_eq!(seen.len(), expected);
    assert_eq!(pages, expected.div_ceil(7));
    let bad = s.call(Role::Admin, "GET", "/v1/clients?limit=0", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["field"], "limit");
}

async fn csv_post(s: &Service, uri: &str, body: &str) -> common::Answer {
    let headers = [("content-type", "text/csv; charset=utf-8")];
    s.call_as(Some(s.token(D)), "POST", uri, Some(body), &headers).await
}

async fn csv_with_chinese_headers_imports_all_rows_or_none(s: Service) {
    let csv = "编号,姓名,站点,经度,纬度,坐标系,地址,电话,联系人,关系\n\
               K801,王秀英,S1,1.5301,42.5112,wgs84,安道尔城 1 号,,,\n\
               K802,李桂兰,S1,1.5290,42.5105,wgs84,安道尔城 2 号,139 0000 1234,张伟 13800005678;李娜：0376-1234567,儿子;邻居\n";
    let answer = csv_post(&s, "/v1/clients/import", csv).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["imported"], 2);
    let read = s.call(D, "GET", "/v1/clients/K802", None).await;
    assert_eq!(
        (&read.body["name"], &read.body["address"], &read.body["phone"]),
        (&json!("李桂兰"), &json!("安道尔城 2 号"), &json!("139 0000 1234"))
    );
    assert_eq!(
        read.body["contacts"],
        json!([{"name": "张伟", "relation": "儿子", "phone": "13800005678"},
               {"name": "李娜", "relation": "邻居", "phone": "0376-1234567"}])
    );
    // A number that is none is refused by its field, without repeating it.
    let bad = "编号,姓名,站点,经度,纬度,联系人\nK805,周凤英,S1,1.5301,42.5112,张伟 12\n";
    let answer = csv_post(&s, "/v1/clients/import", bad).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["field"], "rows[0].contacts[0].phone", "{}", answer.body);

    // One bad row: nothing is stored, and the error names the row and field.
    let bad =
        "编号,姓名,站点,经度,纬度\nK803,周凤英,S1,1.5301,42.5112\nK804,吴玉兰,S1,1.5301,999\n";
    let answer = csv_post(&s, "/v1/clients/import", bad).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["field"], "rows[1].location.lat");
    let missing = s.call(D, "GET", "/v1/clients/K803", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Caregivers with shifts as clock times; another station is, to a dispatcher, unknown.
    let caregivers = "id,name,station,shift_start,shift_end,mode,skills,female\nC801,赵丽,S1,08:00,16:00,ebike,bathing;meals,是\n";
    let answer = csv_post(&s, "/v1/caregivers/import", caregivers).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let c = s.call(D, "GET", "/v1/caregivers/C801", None).await;
    assert_eq!(c.body["shift"], json!({"start": 28_800, "end": 57_600}));
    let elsewhere = caregivers.replace("S1", "S2").replace("C801", "C802");
    let answer = csv_post(&s, "/v1/caregivers/import", &elsewhere).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["field"], "rows[0].station", "as an unknown station");

    // JSON arrays work the same way.
    let rows = json!([{"id": "T1", "station": "S1", "name": "一组", "caregivers": ["C1", "C801"]}]);
    let answer = s.call(D, "POST", "/v1/teams/import", Some(&rows.to_string())).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        s.call(D, "GET", "/v1/teams/T1", None).await.body["caregivers"],
        json!(["C1", "C801"])
    );
}

async fn package_orders_for_a_day(s: Service) {
    let package = json!({"id": "P1", "client": "K1", "service": "meal", "duration": 900,
                         "windows": [{"start": 39_600, "end": 45_000}], "per_week": 3, "days": [0, 2, 4]});
    let created = s.call(D, "POST", "/v1/packages", Some(&package.to_string())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // Cleaning twice a week, on days the planner picks among Monday to Friday.
    let flexible = json!({"id": "P2", "client": "K4", "service": "cleaning", "duration": 3600,
                          "windows": [{"start": 32_400, "end": 57_600}], "per_week": 2});
    let created = s.call(D, "POST", "/v1/packages", Some(&flexible.to_string())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // 2026-11-25 is a Wednesday (day 2).
    let day = json!({"date": "2026-11-25"}).to_string();
    let answer = s.call(D, "POST", "/v1/stations/S1/package-orders", Some(&day)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body["created"].as_array().is_some_and(|c| c.contains(&json!("P1-2026-11-25"))));
    let again = s.call(D, "POST", "/v1/stations/S1/package-orders", Some(&day)).await;
    assert_eq!(again.body["created"], json!([]), "asking twice creates them once");
    let thursday = json!({"date": "2026-11-26"}).to_string();
    let none = s.call(D, "POST", "/v1/stations/S1/package-orders", Some(&thursday)).await;
    assert!(!none.body["created"]
        .as_array()
        .is_some_and(|c| c.iter().any(|o| o.as_str().is_some_and(|o| o.starts_with("P1")))));
    // Over the week, the flexible package gets exactly its two visits, on weekdays.
    let mut p2_days = Vec::new();
    for date in [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-26",
        "2026-11-27",
        "2026-11-28",
        "2026-11-29",
    ] {
        let body = json!({"date": date}).to_string();
        let answer = s.call(D, "POST", "/v1/stations/S1/package-orders", Some(&body)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        if s.call(D, "GET", &format!("/v1/orders/P2-{date}"), None).await.status == StatusCode::OK {
            p2_days.push(date);
        }
    }
    assert_eq!(p2_days.len(), 2, "{p2_days:?}");
    assert!(p2_days.iter().all(|d| !d.ends_with("28") && !d.ends_with("29")), "{p2_days:?}");
    let order = s.call(D, "GET", "/v1/orders/P1-2026-11-25", None).await;
    assert_eq!(order.body["client"], "K1");
}

async fn canteens_make_meal_rounds(s: Service) {
    // The demo's canteens are kept by their nearest station.
    let listed = s.call(D, "GET", "/v1/canteens?station=S1", None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert!(!listed.body["items"].as_array().expect("items").is_empty(), "{}", listed.body);
    let csv = "编号,名称,站点,经度,纬度,营业开始,营业结束,出餐时间\n\
               CT90,新建长者食堂,S1,1.5301,42.5112,10:30,13:30,11:00\n";
    let answer = csv_post(&s, "/v1/canteens/import", csv).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let read = s.call(D, "GET", "/v1/canteens/CT90", None).await;
    assert_eq!(read.body["hours"], json!({"start": 37_800, "end": 48_600}), "{}", read.body);
    assert_eq!(read.body["station"], "S1");
    // Bad canteens name the field; a client may only choose a canteen that exists.
    let at = json!({"lon": 1.5301, "lat": 42.5112});
    let cases = [
        (
            json!({"id": "CT91", "station": "S1", "location": at, "hours": {"start": 50_000, "end": 40_000}}),
            "hours",
        ),
        (
            json!({"id": "CT92", "station": "S9", "location": at, "hours": {"start": 36_000, "end": 50_000}}),
            "station",
        ),
        (
            json!({"id": "CT93", "station": "S1", "location": {"lon": 1.0, "lat": 42.0}, "hours": {"start": 36_000, "end": 50_000}}),
            "location",
        ),
        (
            json!({"id": "CT94", "station": "S1", "location": at, "hours": {"start": 36_000, "end": 50_000}, "meals_ready": 60_000}),
            "meals_ready",
        ),
    ];
    for (body, field) in cases {
        let answer = s.call(D, "POST", "/v1/canteens", Some(&body.to_string())).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.body["field"], field, "{}", answer.body);
    }
    let client = json!({"id": "K950", "station": "S1", "location": at, "canteen": "CT99"});
    let answer = s.call(D, "POST", "/v1/clients", Some(&client.to_string())).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["field"], "canteen", "{}", answer.body);

    // The day's meals are meal rounds: each delivery follows its pick-up on one route, and
    // the caregiver's route shows the canteen.
    s.plan_day().await;
    let plan = s.checked_plan().await;
    let pickups: Vec<(&str, &solver::Stop)> = plan
        .routes
        .iter()
        .flat_map(|r| r.stops.iter().map(move |st| (r.caregiver.as_str(), st)))
        .filter(|(_, st)| st.pickup_for.is_some())
        .collect();
    assert!(!pickups.is_empty(), "meals are picked up at canteens");
    let meals = plan.kpis.meals.as_ref().expect("meal figures");
    assert!(meals.ride_max.0 <= 30 * 60, "hot within the ride limit: {meals:?}");
    let (who, pickup) = pickups[0];
    let token = s.caregiver_token(who).await;
    let date = common::DATE;
    let route =
        s.call_as(Some(&token), "GET", &format!("/v1/me/route?date={date}"), None, &[]).await;
    assert_eq!(route.status, StatusCode::OK, "{}", route.body);
    let shown = route.body["stops"]
        .as_array()
        .expect("stops")
        .iter()
        .find(|st| st["visit"] == json!(pickup.visit))
        .expect("the pick-up is on the route")
        .clone();
    assert_eq!(shown["kind"], "pickup", "{shown}");
    assert_eq!(shown["pickup_for"], json!(pickup.pickup_for), "{shown}");
    assert!(shown["canteen"].is_string() && shown["location"]["lon"].is_f64(), "{shown}");
    let ics =
        s.call_as(Some(&token), "GET", &format!("/v1/me/route.ics?date={date}"), None, &[]).await;
    assert!(ics.text.contains("取餐"), "{}", ics.text);
}

async fn caregivers_start_and_end_at_home(s: Service) {
    // C1 lives in Encamp, up the valley and outside S1's circle; the day still plans, checked.
    let mut c1 = s.call(D, "GET", "/v1/caregivers/C1", None).await.body;
    for field in ["active", "updated_at", "version"] {
        c1.as_object_mut().map(|o| o.remove(field));
    }
    let home = json!({"lon": 1.5800, "lat": 42.5350});
    c1["start"] = home.clone();
    c1["end"] = home;
    c1["max_commute_minutes"] = json!(40);
    c1["commute_paid"] = json!(false);
    let put = s.call(D, "PUT", "/v1/caregivers/C1", Some(&c1.to_string())).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["start"]["lon"], 1.58, "{}", put.body);
    assert_eq!(put.body["commute_paid"], false, "{}", put.body);
    s.plan_day().await;
    let plan = s.checked_plan().await;
    // C1's phone draws the day from home and back.
    assert!(plan.routes.iter().any(|r| r.caregiver == "C1"), "C1 works from home: {plan:?}");
    let token = s.caregiver_token("C1").await;
    let uri = format!("/v1/me/route.geojson?date={}", common::DATE);
    let geo = s.call_as(Some(&token), "GET", &uri, None, &[]).await;
    assert_eq!(geo.status, StatusCode::OK, "{}", geo.body);
    let legs: Vec<&Value> = geo.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["geometry"]["type"] == "LineString")
        .collect();
    let ends = |f: &Value, last: bool| {
        let coords = f["geometry"]["coordinates"].as_array().expect("coordinates").clone();
        let p = if last { coords.last() } else { coords.first() }.expect("a point").clone();
        (p[0].as_f64().unwrap_or_default(), p[1].as_f64().unwrap_or_default())
    };
    let near_home =
        |(lon, lat): (f64, f64)| (lon - 1.58).abs() < 0.003 && (lat - 42.535).abs() < 0.003;
    let (first, last) = (legs.first().expect("legs"), legs.last().expect("legs"));
    assert!(near_home(ends(first, false)), "leaves from home: {}", first);
    assert!(near_home(ends(last, true)), "back home: {}", last);
    // A home off every road, or a place that is not one, names the field.
    let mut off = c1.clone();
    off["end"] = json!({"lon": 1.0, "lat": 42.0});
    let answer = s.call(D, "PUT", "/v1/caregivers/C1", Some(&off.to_string())).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(answer.body["field"], "end", "{}", answer.body);
    let mut word = c1;
    word["start"] = json!("home");
    let answer = s.call(D, "PUT", "/v1/caregivers/C1", Some(&word.to_string())).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert!(answer.body["reason"].as_str().is_some_and(|r| r.contains("not a place")));
}

both!(crud, create_read_replace_deactivate);
both!(homes, caregivers_start_and_end_at_home);
both!(canteens, canteens_make_meal_rounds);
both!(pagination, pages_follow_the_cursor_without_gaps_or_repeats);
both!(csv_import, csv_with_chinese_headers_imports_all_rows_or_none);
both!(packages, package_orders_for_a_day);
