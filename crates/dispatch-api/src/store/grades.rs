//! What the quarterly team grades read: each day's current plan, check-ins, alerts, ratings
//! and the visits' windows.

use super::{decode, Store};
use crate::date::PlanDate;
use crate::error::AppError;
use crate::grades::{Quarter, VisitRecord};
use formats::scenario::GeoPoint;
use planner::travel::to_wgs84;
use roads::{haversine_m, LonLat};
use serde::Deserialize;
use solver::TimeWindow;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

impl Store {
    /// Every visit planned or started on days `from..=to` (`YYYY-MM-DD`), with what happened.
    pub async fn quarter_records(&self, from: &str, to: &str) -> Result<Quarter, AppError> {
        let mut visits: BTreeMap<String, VisitRecord> = BTreeMap::new();
        let days = sqlx::query(
            "SELECT DISTINCT COALESCE(unit, station) AS unit, date FROM plans WHERE status = 'done' \
             AND date >= $1 AND date <= $2 ORDER BY date, unit",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for day in &days {
            let date = PlanDate::parse(day.get::<&str, _>("date")).map_err(AppError::Internal)?;
            let Some((_, plan)) = self.current_plan(day.get::<&str, _>("unit"), &date).await?
            else {
                continue;
            };
            for route in &plan.routes {
                // A pick-up at a canteen is a stop on the way to an order, not a visit.
                for stop in route.stops.iter().filter(|s| s.pickup_for.is_none()) {
                    visits.insert(
                        stop.visit.clone(),
                        VisitRecord {
                            visit: stop.visit.clone(),
                            caregiver: route.caregiver.clone(),
                            date: date.to_string(),
                            ..VisitRecord::default()
                        },
                    );
                }
            }
        }
        let progress = sqlx::query(
            "SELECT visit, caregiver, date, check_in_s, check_out_s, check_in_lon, check_in_lat \
             FROM visit_progress WHERE date >= $1 AND date <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut checked_in_at: HashMap<String, LonLat> = HashMap::new();
        for p in &progress {
            let visit: String = p.get("visit");
            // An unverified check-in (no position) is at no known place: not at the home.
            let (lon, lat): (Option<f64>, Option<f64>) =
                (p.get("check_in_lon"), p.get("check_in_lat"));
            if let (Some(lon), Some(lat)) = (lon, lat) {
                checked_in_at.insert(visit.clone(), LonLat::new(lon, lat));
            }
            let record = visits.entry(visit.clone()).or_insert_with(|| VisitRecord {
                visit,
                date: p.get("date"),
                ..VisitRecord::default()
            });
            // Who checked in served it, whoever was planned.
            record.caregiver = p.get("caregiver");
            record.check_in = Some(p.get("check_in_s"));
            record.check_out = p.get("check_out_s");
        }
        let mut quarter = Quarter::default();
        let alerts = sqlx::query(
            "SELECT kind, caregiver, visit, date FROM alerts WHERE date >= $1 AND date <= $2 \
             AND kind IN ('no_check_out', 'deviation')",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for a in &alerts {
            match a.get::<&str, _>("kind") {
                "deviation" => {
                    if let Some(caregiver) = a.get::<Option<String>, _>("caregiver") {
                        quarter.deviations.insert((caregiver, a.get("date")));
                    }
                }
                _ => {
                    let visit = a.get::<Option<String>, _>("visit").unwrap_or_default();
                    if let Some(record) = visits.get_mut(&visit) {
                        record.late_check_out = true;
                    }
                }
            }
        }
        let ratings = sqlx::query(
            "SELECT visit, stars FROM ratings WHERE stars IS NOT NULL AND date >= $1 AND date <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for r in &ratings {
            if let Some(record) = visits.get_mut(r.get::<&str, _>("visit")) {
                record.stars = r.get("stars");
            }
        }
        #[derive(Deserialize)]
        struct Windows {
            windows: Vec<TimeWindow>,
        }
        let homes = self.client_homes().await?;
        let orders =
            sqlx::query("SELECT id, client, body FROM orders WHERE date >= $1 AND date <= $2")
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
        for o in &orders {
            if let Some(record) = visits.get_mut(o.get::<&str, _>("id")) {
                let body: Windows = decode(o.get::<&str, _>("body"))?;
                record.windows = body.windows.iter().map(|w| (w.start.0, w.end.0)).collect();
                let home = homes.get(o.get::<&str, _>("client"));
                if let (Some(&home), Some(&at)) = (home, checked_in_at.get(&record.visit)) {
                    record.check_in_distance_m = Some(haversine_m(home, at));
                }
            }
        }
        quarter.visits = visits.into_values().collect();
        Ok(quarter)
    }

    /// Every client's home, in WGS84.
    async fn client_homes(&self) -> Result<HashMap<String, LonLat>, AppError> {
        #[derive(Deserialize)]
        struct Home {
            location: GeoPoint,
        }
        let rows = sqlx::query("SELECT id, body FROM clients").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let home: Home = decode(r.get::<&str, _>("body"))?;
                Ok((r.get::<String, _>("id"), to_wgs84(&home.location)))
            })
            .collect()
    }
}
