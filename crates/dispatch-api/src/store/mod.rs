//! Storage in SQLite through sqlx: master data from the scenario, orders, plans and their
//! versions. Every write that answers a request happens in one transaction, before the answer.

use crate::date::PlanDate;
use crate::error::AppError;
use crate::order::Order;
use serde::de::DeserializeOwned;
use solver::scenario::{Caregiver, Client, Scenario, Station};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;

/// The database behind the service.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// A plan's header row.
#[derive(Clone, Debug)]
pub struct PlanRow {
    pub id: i64,
    pub station: String,
    pub date: String,
    pub status: PlanStatus,
    pub error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    Running,
    Done,
    Failed,
}

impl PlanStatus {
    fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Running => "running",
            PlanStatus::Done => "done",
            PlanStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<PlanStatus, AppError> {
        match s {
            "running" => Ok(PlanStatus::Running),
            "done" => Ok(PlanStatus::Done),
            "failed" => Ok(PlanStatus::Failed),
            other => {
                Err(AppError::Internal(format!("unknown plan status {other:?} in the database")))
            }
        }
    }

    pub fn is_finished(self) -> bool {
        self != PlanStatus::Running
    }
}

/// One stored version of a plan.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub seq: i64,
    pub kpis: serde_json::Value,
    pub plan: serde_json::Value,
    pub is_final: bool,
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    Ok(serde_json::from_str(text)?)
}

/// Inserts or replaces a caregiver or client row of a station. `table` is one of our own
/// constants, never input.
async fn upsert_member(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    table: &'static str,
    id: &str,
    station: &str,
    body: String,
) -> Result<(), AppError> {
    sqlx::query(&format!(
        "INSERT INTO {table} (id, station, body) VALUES (?, ?, ?) \
         ON CONFLICT(id) DO UPDATE SET station = excluded.station, body = excluded.body"
    ))
    .bind(id)
    .bind(station)
    .bind(body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn version_from_row(r: &SqliteRow) -> Result<VersionRow, AppError> {
    Ok(VersionRow {
        seq: r.get("seq"),
        kpis: decode(r.get::<&str, _>("kpis"))?,
        plan: decode(r.get::<&str, _>("plan"))?,
        is_final: r.get("final"),
    })
}

impl Store {
    /// Opens (creating if missing) the database at `url` (`sqlite://FILE`) and migrates it.
    pub async fn connect(url: &str) -> Result<Store, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Plans left running by a previous process can never finish: say so.
    pub async fn fail_interrupted_plans(&self) -> Result<u64, AppError> {
        let done = sqlx::query(
            "UPDATE plans SET status = 'failed', error = 'interrupted by a restart of the service' WHERE status = 'running'",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Loads the scenario's stations, caregivers and clients (replacing earlier versions of the
    /// same ids) and its visits as orders for `date`, once: a restart does not duplicate them.
    pub async fn import_scenario(
        &self,
        scenario: &Scenario,
        date: Option<&PlanDate>,
    ) -> Result<usize, AppError> {
        let mut tx = self.pool.begin().await?;
        for s in &scenario.stations {
            sqlx::query("INSERT INTO stations (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body")
                .bind(&s.id)
                .bind(serde_json::to_string(s)?)
                .execute(&mut *tx)
                .await?;
        }
        for c in &scenario.caregivers {
            upsert_member(&mut tx, "caregivers", &c.id, &c.station, serde_json::to_string(c)?)
                .await?;
        }
        for c in &scenario.clients {
            upsert_member(&mut tx, "clients", &c.id, &c.station, serde_json::to_string(c)?).await?;
        }
        let mut imported = 0;
        if let Some(date) = date {
            for v in &scenario.visits {
                let order = Order::from_scenario_visit(v, date.clone());
                let done = sqlx::query(
                    "INSERT OR IGNORE INTO orders (id, client, date, body) VALUES (?, ?, ?, ?)",
                )
                .bind(&order.id)
                .bind(&order.client)
                .bind(order.date.as_str())
                .bind(serde_json::to_string(&order)?)
                .execute(&mut *tx)
                .await?;
                imported += done.rows_affected() as usize;
            }
        }
        tx.commit().await?;
        Ok(imported)
    }

    async fn body_by_id<T: DeserializeOwned>(
        &self,
        table: &'static str,
        id: &str,
    ) -> Result<Option<T>, AppError> {
        // `table` is one of our own constants, never input.
        let row = sqlx::query(&format!("SELECT body FROM {table} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| decode(r.get::<&str, _>("body"))).transpose()
    }

    async fn bodies_of_station<T: DeserializeOwned>(
        &self,
        table: &'static str,
        station: &str,
    ) -> Result<Vec<T>, AppError> {
        let rows =
            sqlx::query(&format!("SELECT body FROM {table} WHERE station = ? ORDER BY rowid"))
                .bind(station)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| decode(r.get::<&str, _>("body"))).collect()
    }

    pub async fn station(&self, id: &str) -> Result<Option<Station>, AppError> {
        self.body_by_id("stations", id).await
    }

    pub async fn caregiver(&self, id: &str) -> Result<Option<Caregiver>, AppError> {
        self.body_by_id("caregivers", id).await
    }

    pub async fn client(&self, id: &str) -> Result<Option<Client>, AppError> {
        self.body_by_id("clients", id).await
    }

    pub async fn caregivers_of(&self, station: &str) -> Result<Vec<Caregiver>, AppError> {
        self.bodies_of_station("caregivers", station).await
    }

    pub async fn clients_of(&self, station: &str) -> Result<Vec<Client>, AppError> {
        self.bodies_of_station("clients", station).await
    }

    /// Stores a new order and, when given, the answer to its idempotency key, atomically.
    /// `Ok(false)` when the order id is taken.
    pub async fn insert_order(
        &self,
        order: &Order,
        idempotency: Option<(&str, &str, u16, &str)>,
    ) -> Result<bool, AppError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "INSERT OR IGNORE INTO orders (id, client, date, status, body) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&order.id)
        .bind(&order.client)
        .bind(order.date.as_str())
        .bind(order.status.as_str())
        .bind(serde_json::to_string(order)?)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some((key, request, status, response)) = idempotency {
            sqlx::query(
                "INSERT INTO idempotency_keys (key, request, status, response) VALUES (?, ?, ?, ?)",
            )
            .bind(key)
            .bind(request)
            .bind(i64::from(status))
            .bind(response)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The stored request and answer of an idempotency key.
    pub async fn idempotent_answer(
        &self,
        key: &str,
    ) -> Result<Option<(String, u16, String)>, AppError> {
        let row =
            sqlx::query("SELECT request, status, response FROM idempotency_keys WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| {
            let status: i64 = r.get("status");
            (r.get("request"), u16::try_from(status).unwrap_or(500), r.get("response"))
        }))
    }

    pub async fn order(&self, id: &str) -> Result<Option<Order>, AppError> {
        self.body_by_id("orders", id).await
    }

    /// A new order id: `O` and a number one above the count so far, skipping taken ids.
    pub async fn next_order_id(&self) -> Result<String, AppError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&self.pool).await?;
        let mut k = n + 1;
        loop {
            let id = format!("O{k}");
            if self.order(&id).await?.is_none() {
                return Ok(id);
            }
            k += 1;
        }
    }

    /// Open orders of a station's clients for one day, oldest first.
    pub async fn open_orders(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<Order>, AppError> {
        let rows = sqlx::query(
            "SELECT o.body FROM orders o JOIN clients c ON c.id = o.client \
             WHERE c.station = ? AND o.date = ? AND o.status = 'open' ORDER BY o.rowid",
        )
        .bind(station)
        .bind(date.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| decode(r.get::<&str, _>("body"))).collect()
    }

    async fn all_bodies<T: DeserializeOwned>(
        &self,
        table: &'static str,
    ) -> Result<Vec<T>, AppError> {
        // `table` is one of our own constants, never input.
        let rows = sqlx::query(&format!("SELECT body FROM {table} ORDER BY rowid"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| decode(r.get::<&str, _>("body"))).collect()
    }

    /// Every station, caregiver and client, with the open orders of `date` as visits: the
    /// scenario the planner's questions are asked of.
    pub async fn scenario(&self, date: Option<&PlanDate>) -> Result<Scenario, AppError> {
        let visits = match date {
            Some(date) => {
                let rows = sqlx::query(
                    "SELECT body FROM orders WHERE date = ? AND status = 'open' ORDER BY rowid",
                )
                .bind(date.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| decode::<Order>(r.get::<&str, _>("body")).map(|o| o.to_visit()))
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => Vec::new(),
        };
        Ok(Scenario {
            name: "service".into(),
            date: date.map(|d| d.to_string()),
            osm: None,
            stations: self.all_bodies("stations").await?,
            caregivers: self.all_bodies("caregivers").await?,
            clients: self.all_bodies("clients").await?,
            visits,
            links: Vec::new(),
            soft_costs: None,
            packages: Vec::new(),
        })
    }

    pub async fn create_plan(&self, station: &str, date: &PlanDate) -> Result<i64, AppError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (station, date, status) VALUES (?, ?, 'running') RETURNING id",
        )
        .bind(station)
        .bind(date.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn add_version(&self, plan_id: i64, version: &VersionRow) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO plan_versions (plan_id, seq, kpis, plan, final) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(plan_id)
        .bind(version.seq)
        .bind(version.kpis.to_string())
        .bind(version.plan.to_string())
        .bind(version.is_final)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn finish_plan(
        &self,
        plan_id: i64,
        status: PlanStatus,
        error: Option<&str>,
    ) -> Result<(), AppError> {
        sqlx::query("UPDATE plans SET status = ?, error = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(error)
            .bind(plan_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn plan(&self, id: i64) -> Result<Option<PlanRow>, AppError> {
        let row = sqlx::query("SELECT id, station, date, status, error FROM plans WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(PlanRow {
                id: r.get("id"),
                station: r.get("station"),
                date: r.get("date"),
                status: PlanStatus::parse(r.get("status"))?,
                error: r.get("error"),
            })
        })
        .transpose()
    }

    /// Versions of a plan with `seq` above `after`, in order.
    pub async fn versions_after(
        &self,
        plan_id: i64,
        after: i64,
    ) -> Result<Vec<VersionRow>, AppError> {
        let rows = sqlx::query("SELECT seq, kpis, plan, final FROM plan_versions WHERE plan_id = ? AND seq > ? ORDER BY seq")
            .bind(plan_id)
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_from_row).collect()
    }

    pub async fn latest_version(&self, plan_id: i64) -> Result<Option<VersionRow>, AppError> {
        let row = sqlx::query("SELECT seq, kpis, plan, final FROM plan_versions WHERE plan_id = ? ORDER BY seq DESC LIMIT 1")
            .bind(plan_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(version_from_row).transpose()
    }

    /// The newest finished plan of a station's day.
    pub async fn newest_done_plan(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Option<i64>, AppError> {
        Ok(sqlx::query_scalar("SELECT id FROM plans WHERE station = ? AND date = ? AND status = 'done' ORDER BY id DESC LIMIT 1")
            .bind(station)
            .bind(date.as_str())
            .fetch_optional(&self.pool)
            .await?)
    }
}
