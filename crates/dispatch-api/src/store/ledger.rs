//! What the service-hour ledger reads: finished visits, teams and entitlements.

use super::{decode, Store};
use crate::error::AppError;
use crate::ledger::{Booking, Teams};
use serde::Deserialize;
use sqlx::Row;
use std::collections::HashMap;

/// `AND {column} IN ($n, ...)` for `stations` (nothing when `None`: every station), with the
/// values to bind after `bound` others.
fn station_filter(column: &str, stations: Option<&[String]>, bound: usize) -> String {
    match stations {
        None => String::new(),
        Some(s) => {
            let marks: Vec<String> = (0..s.len()).map(|i| format!("${}", bound + 1 + i)).collect();
            format!(
                " AND {column} IN ({})",
                if marks.is_empty() { "NULL".into() } else { marks.join(", ") }
            )
        }
    }
}

impl Store {
    /// Visits checked in and out on days `from..=to` (`YYYY-MM-DD`) at `stations` (all when
    /// `None`), each once.
    pub async fn finished_visits(
        &self,
        from: &str,
        to: &str,
        stations: Option<&[String]>,
    ) -> Result<Vec<Booking>, AppError> {
        let sql = format!(
            "SELECT p.visit, p.order_id, p.caregiver, p.station, p.date, p.check_in_s, \
             p.check_out_s, o.client, o.body FROM visit_progress p JOIN orders o ON o.id = p.order_id \
             WHERE p.check_out_s IS NOT NULL AND p.date >= $1 AND p.date <= $2{} ORDER BY p.visit",
            station_filter("p.station", stations, 2)
        );
        let mut query = sqlx::query(&sql).bind(from).bind(to);
        for s in stations.unwrap_or_default() {
            query = query.bind(s.as_str());
        }
        #[derive(Deserialize)]
        struct Service {
            service: String,
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let body: Service = decode(r.get::<&str, _>("body"))?;
                let (check_in, check_out) =
                    (r.get::<i64, _>("check_in_s"), r.get::<i64, _>("check_out_s"));
                Ok(Booking {
                    visit: r.get("visit"),
                    order: r.get("order_id"),
                    client: r.get("client"),
                    caregiver: r.get("caregiver"),
                    station: r.get("station"),
                    date: r.get("date"),
                    service: body.service,
                    seconds: (check_out - check_in).max(0),
                })
            })
            .collect()
    }

    /// Each caregiver's team, from the active teams of `stations` (all when `None`).
    pub async fn teams_of_caregivers(
        &self,
        stations: Option<&[String]>,
    ) -> Result<Teams, AppError> {
        let sql = format!(
            "SELECT id, body FROM teams WHERE active = 1{} ORDER BY id",
            station_filter("station", stations, 0)
        );
        let mut query = sqlx::query(&sql);
        for s in stations.unwrap_or_default() {
            query = query.bind(s.as_str());
        }
        #[derive(Deserialize)]
        struct Members {
            #[serde(default)]
            caregivers: Vec<String>,
        }
        let mut teams = Teams::new();
        for r in query.fetch_all(&self.pool).await? {
            let members: Members = decode(r.get::<&str, _>("body"))?;
            for c in members.caregivers {
                teams.entry(c).or_insert_with(|| r.get("id"));
            }
        }
        Ok(teams)
    }

    /// Clients' monthly entitlements (hours), of `stations` (all when `None`).
    pub async fn entitlements(
        &self,
        stations: Option<&[String]>,
    ) -> Result<HashMap<String, f64>, AppError> {
        let sql = format!(
            "SELECT id, body FROM clients WHERE 1 = 1{}",
            station_filter("station", stations, 0)
        );
        let mut query = sqlx::query(&sql);
        for s in stations.unwrap_or_default() {
            query = query.bind(s.as_str());
        }
        #[derive(Deserialize)]
        struct Entitled {
            #[serde(default)]
            monthly_hours: Option<f64>,
        }
        let mut hours = HashMap::new();
        for r in query.fetch_all(&self.pool).await? {
            let e: Entitled = decode(r.get::<&str, _>("body"))?;
            if let Some(h) = e.monthly_hours {
                hours.insert(r.get::<String, _>("id"), h);
            }
        }
        Ok(hours)
    }
}
