//! Upgrading a database that holds a day's work, on SQLite and PostgreSQL: a store migrated
//! up to the migration before two-caregiver visits, with an order checked in and out, locked
//! and rated, is opened by this build; the check-ins, the lock, the rating and the ledger's
//! booking are all still there. Rows stored before the limits of ids, names and visit rules
//! come through, stay readable and deactivatable, and `db check` lists them.

mod common;

use common::Backend;
use dispatch_api::date::PlanDate;
use dispatch_api::store::{MasterKind, ResumeFrom, Store};
use sqlx::any::AnyPoolOptions;
use std::path::Path;

/// The migrations before `0006_shared_visits`.
const BEFORE: &str = "0006";
/// An id from before the id limits: a space and 80 characters.
const LONG_ID: &str =
    "K old 00000000000000000000000000000000000000000000000000000000000000000000000000";

async fn old_rows_survive_the_upgrade(backend: Backend) {
    let Some((url, _dir)) = common::database(backend).await else { return };
    sqlx::any::install_default_drivers();
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder);
    let old = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(&all).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        if name.as_str() < BEFORE {
            std::fs::copy(&path, old.path().join(&name)).expect("copy");
        }
    }
    let connect = match backend {
        Backend::Sqlite => format!("{url}?mode=rwc"),
        Backend::Postgres => url.clone(),
    };
    let pool = AnyPoolOptions::new().max_connections(1).connect(&connect).await.expect("pool");
    let migrator = sqlx::migrate::Migrator::new(old.path()).await.expect("old migrations");
    migrator.run(&pool).await.expect("migrated to the old schema");
    let date = "2026-11-25";
    for sql in [
        r#"INSERT INTO stations (id, body) VALUES ('S1', '{}')"#.to_string(),
        r#"INSERT INTO clients (id, station, body) VALUES ('K1', 'S1', '{}')"#.to_string(),
        format!(
            r#"INSERT INTO orders (id, client, station, date, status, kind, body) VALUES ('O1', 'K1', 'S1', '{date}', 'open', 'one_off', '{{"id":"O1","client":"K1","date":"{date}","service":"cleaning","duration":1800,"windows":[{{"start":32400,"end":43200}}],"skills":[],"priority":1,"status":"open"}}')"#
        ),
        format!(
            "INSERT INTO visit_progress (visit, caregiver, station, date, check_in_s, check_in_lon, \
             check_in_lat, check_out_s, check_out_lon, check_out_lat) \
             VALUES ('O1', 'C1', 'S1', '{date}', 36000, 1.5, 42.5, 37800, 1.5, 42.5)"
        ),
        format!("INSERT INTO visit_locks (visit, station, date) VALUES ('O1', 'S1', '{date}')"),
        format!(
            "INSERT INTO ratings (visit, link_hash, station, caregiver, date, stars) \
             VALUES ('O1', 'h1', 'S1', 'C1', '{date}', 5)"
        ),
        // Rows today's limits refuse: an id with a space and 80 characters, a 300-character
        // name, a 20-hour visit.
        format!(
            r#"INSERT INTO clients (id, station, body) VALUES ('{LONG_ID}', 'S1', '{{"id":"{LONG_ID}"}}')"#
        ),
        format!(
            r#"INSERT INTO clients (id, station, body) VALUES ('K2', 'S1', '{{"id":"K2","name":"{}"}}')"#,
            "名".repeat(300)
        ),
        format!(
            r#"INSERT INTO orders (id, client, station, date, status, kind, body) VALUES ('O2', 'K1', 'S1', '{date}', 'open', 'one_off', '{{"id":"O2","client":"K1","date":"{date}","service":"cleaning","duration":72000,"windows":[{{"start":0,"end":86400}}],"skills":[],"priority":1,"status":"open"}}')"#
        ),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // Events of two stations under the old global numbering, interleaved.
    let mut old_ids = Vec::new();
    for (station, kind) in [("S1", "plan"), ("S2", "plan"), ("S1", "check-in"), ("S2", "alert")] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO events (station, kind, data) VALUES ($1, $2, '{}') RETURNING id",
        )
        .bind(station)
        .bind(kind)
        .fetch_one(&pool)
        .await
        .expect("old event");
        old_ids.push(id);
    }
    pool.close().await;

    let store = Store::connect(&url).await.expect("this build opens and upgrades it");
    let day = PlanDate::parse(date).expect("date");
    let progress = store.progress_of_day("S1", &day).await.expect("progress");
    assert_eq!(progress.len(), 1);
    assert_eq!((progress[0].visit.as_str(), progress[0].check_out), ("O1", Some(37_800)));
    assert_eq!(store.locked_visits("S1", &day).await.expect("locks"), vec!["O1".to_string()]);
    let booked = store.finished_visits("2026-11-01", "2026-11-30", None).await.expect("ledger");
    assert_eq!(booked.len(), 1);
    assert_eq!((booked[0].order.as_str(), booked[0].seconds), ("O1", 1800));
    let rating = store.rating_by_link("h1").await.expect("rating").expect("kept");
    assert_eq!((rating.visit.as_str(), rating.stars), ("O1", Some(5)));

    // Each station's old events are numbered 1, 2 in their old order; an old-style
    // Last-Event-ID resumes where it was; the next event takes the next number.
    let s1 = store.events_after("S1", 0, 10).await.expect("events");
    let kinds: Vec<_> = s1.iter().map(|e| (e.seq, e.kind.as_str())).collect();
    assert_eq!(kinds, [(1, "plan"), (2, "check-in")]);
    let resume = |id| store.resume_seq("S1", ResumeFrom::LegacyId(id));
    assert_eq!(resume(old_ids[0]).await.expect("resume"), 1);
    assert_eq!(resume(old_ids[1]).await.expect("resume"), 1, "an S2 id between S1's");
    assert_eq!(resume(old_ids[3]).await.expect("resume"), 2);
    assert_eq!(resume(-1).await.expect("resume"), 0);
    store.append_event("S2", "alert", &serde_json::json!({})).await.expect("new");
    assert_eq!(store.last_event_seq("S2").await.expect("last"), 3);
    assert_eq!(store.last_event_seq("S1").await.expect("last"), 2);

    // Rows outside today's limits came through, stay readable and deactivatable, and
    // `db check` names each of them.
    let found = dispatch_api::db_check::over_limits(&store).await.expect("db check");
    let named: Vec<_> = found.iter().map(|f| (f.table, f.field.as_str())).collect();
    assert_eq!(named, [("clients", "id"), ("clients", "name"), ("orders", "duration")]);
    assert!(found[0].id.contains("(80 characters)"), "{:?}", found[0]);
    for id in [LONG_ID, "K2"] {
        assert!(store.master(MasterKind::Clients, id).await.expect("read").is_some(), "{id}");
        assert!(store.deactivate(MasterKind::Clients, id).await.expect("deactivate"), "{id}");
    }
    store.close().await;
}

#[tokio::test]
async fn sqlite() {
    old_rows_survive_the_upgrade(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres() {
    old_rows_survive_the_upgrade(Backend::Postgres).await;
}
