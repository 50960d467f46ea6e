//! What the quarterly team grades read: each day's current plan, check-ins, alerts, ratings
//! and the visits' windows.

use super::{decode, Store};
use crate::date::PlanDate;
use crate::error::AppError;
use crate::grades::{Quarter, VisitRecord};
use serde::Deserialize;
use solver::TimeWindow;
use sqlx::Row;
use std::collections::BTreeMap;

impl Store {
    /// Every visit planned or started on days `from..=to` (`YYYY-MM-DD`), with what happened.
    pub async fn quarter_records(&self, from: &str, to: &str) -> Result<Quarter, AppError> {
        let mut visits: BTreeMap<String, VisitRecord> = BTreeMap::new();
        let days = sqlx::query(
            "SELECT DISTINCT station, date FROM plans WHERE status = 'done' \
             AND date >= $1 AND date <= $2 ORDER BY date, station",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for day in &days {
            let date = PlanDate::parse(day.get::<&str, _>("date")).map_err(AppError::Internal)?;
            let Some((_, plan)) = self.current_plan(day.get::<&str, _>("station"), &date).await?
            else {
                continue;
            };
            for route in &plan.routes {
                for stop in &route.stops {
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
            "SELECT visit, caregiver, date, check_in_s, check_out_s FROM visit_progress \
             WHERE date >= $1 AND date <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for p in &progress {
            let visit: String = p.get("visit");
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
        let orders = sqlx::query("SELECT id, body FROM orders WHERE date >= $1 AND date <= $2")
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        for o in &orders {
            if let Some(record) = visits.get_mut(o.get::<&str, _>("id")) {
                let body: Windows = decode(o.get::<&str, _>("body"))?;
                record.windows = body.windows.iter().map(|w| (w.start.0, w.end.0)).collect();
            }
        }
        quarter.visits = visits.into_values().collect();
        Ok(quarter)
    }
}
