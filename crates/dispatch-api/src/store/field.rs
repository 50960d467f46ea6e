//! What happens in the field: check-ins and check-outs, absences, positions and alerts.

use super::{StationChange, Store};
use crate::date::PlanDate;
use crate::error::AppError;
use sqlx::Row;

/// A visit's check-in and check-out, in seconds from local midnight.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Progress {
    pub visit: String,
    pub caregiver: String,
    pub check_in: i64,
    pub check_out: Option<i64>,
    /// Why it was checked in out of route order, if it was.
    pub check_in_reason: Option<String>,
    /// Whether the check-in came with the phone's position (without one it is recorded, and
    /// counts as not at the client's home).
    pub verified: bool,
}

/// A stored alert.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct AlertRow {
    /// The condition it reports, raised once: `late:V1`, `no_check_out:V1`, `deviation:C1:36000`.
    pub dedup: String,
    pub station: String,
    pub date: String,
    pub caregiver: Option<String>,
    pub visit: Option<String>,
    /// `late`, `no_check_out`, `deviation` or `low_rating`.
    pub kind: String,
    /// The stable code of what it reports (`late.after_start`, ...; see
    /// `alerts::Condition`), the kind itself for alerts stored before codes.
    pub code: String,
    /// The code's parameters: ids, times in seconds from local midnight, limits.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub params: serde_json::Value,
    /// The condition in English, for logs and for programs that do not read codes.
    pub detail: String,
    /// Seconds from local midnight.
    pub at: i64,
}

/// A caregiver's last position and since when they have been off their path.
#[derive(Clone, Debug, PartialEq)]
pub struct LastPosition {
    pub date: String,
    pub at: i64,
    pub lon: f64,
    pub lat: f64,
    pub off_since: Option<i64>,
}

/// Field changes of a station, each with the events that announce it.
impl StationChange {
    /// Records a check-in at visit `visit` of order `order` at `(seconds, (lon, lat))` (no
    /// position: unverified), with
    /// the caregiver's reason when it is not the next visit of their route; `Ok(false)` when
    /// the visit was already checked in.
    pub async fn check_in(
        &mut self,
        visit: &str,
        order: &str,
        caregiver: &str,
        date: &PlanDate,
        (at, position): (i64, Option<(f64, f64)>),
        reason: Option<&str>,
    ) -> Result<bool, AppError> {
        let station = self.station().to_string();
        // A check-in without a position is its own statement: PostgreSQL keeps a prepared
        // statement's parameter types from its first use on a connection, and a NULL bound
        // through sqlx's Any driver is not typed as the double a position is (a later
        // position then failed with "incorrect binary data format").
        let sql = match position {
            Some(_) => {
                "INSERT INTO visit_progress (visit, order_id, caregiver, station, date, \
                 check_in_s, check_in_reason, check_in_lon, check_in_lat) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT(visit) DO NOTHING"
            }
            None => {
                "INSERT INTO visit_progress (visit, order_id, caregiver, station, date, \
                 check_in_s, check_in_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(visit) DO NOTHING"
            }
        };
        let mut query = sqlx::query(sql)
            .bind(visit)
            .bind(order)
            .bind(caregiver)
            .bind(&station)
            .bind(date.as_str())
            .bind(at)
            .bind(reason);
        if let Some((lon, lat)) = position {
            query = query.bind(lon).bind(lat);
        }
        let done = query.execute(self.conn()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records a check-out; `Ok(false)` when the visit is not checked in or already out.
    pub async fn check_out(
        &mut self,
        visit: &str,
        at: i64,
        position: Option<(f64, f64)>,
    ) -> Result<bool, AppError> {
        // As a check-in: without a position, a statement of its own (see `check_in`).
        let sql = match position {
            Some(_) => {
                "UPDATE visit_progress SET check_out_s = $1, check_out_lon = $3, \
                 check_out_lat = $4 WHERE visit = $2 AND check_out_s IS NULL"
            }
            None => "UPDATE visit_progress SET check_out_s = $1 WHERE visit = $2 AND check_out_s IS NULL",
        };
        let mut query = sqlx::query(sql).bind(at).bind(visit);
        if let Some((lon, lat)) = position {
            query = query.bind(lon).bind(lat);
        }
        let done = query.execute(self.conn()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Marks a caregiver absent for a day; `Ok(false)` when already marked.
    /// Makes a caregiver available again on a day; `Ok(false)` when they were not absent.
    pub async fn unmark_absent(
        &mut self,
        caregiver: &str,
        date: &PlanDate,
    ) -> Result<bool, AppError> {
        let done = sqlx::query("DELETE FROM absences WHERE caregiver = $1 AND date = $2")
            .bind(caregiver)
            .bind(date.as_str())
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn mark_absent(
        &mut self,
        caregiver: &str,
        date: &PlanDate,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO absences (caregiver, date) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(caregiver)
        .bind(date.as_str())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Stores an alert unless the same condition was already raised; `Ok(true)` when new.
    pub async fn raise_alert(&mut self, alert: &AlertRow) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO alerts (dedup, station, date, caregiver, visit, kind, detail, at_s, \
             code, params) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT(dedup) DO NOTHING",
        )
        .bind(&alert.dedup)
        .bind(&alert.station)
        .bind(&alert.date)
        .bind(alert.caregiver.as_deref())
        .bind(alert.visit.as_deref())
        .bind(&alert.kind)
        .bind(&alert.detail)
        .bind(alert.at)
        .bind(&alert.code)
        .bind(alert.params.to_string())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Marks an alert acknowledged by `by` at `at` (seconds from local midnight); the first
    /// acknowledgement stays. `Ok(false)` when it was acknowledged already.
    pub async fn acknowledge_alert(
        &mut self,
        dedup: &str,
        by: &str,
        at: i64,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "UPDATE alerts SET acked_by = $1, acked_at_s = $2 WHERE dedup = $3 AND acked_by IS NULL",
        )
        .bind(by)
        .bind(at)
        .bind(dedup)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

impl Store {
    /// Check-ins of the day of a station's plan unit (a pooled station's: the whole pool's).
    pub async fn progress_of_day(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<Progress>, AppError> {
        let unit = self.plan_unit(station).await?;
        let sql = format!(
            "SELECT visit, caregiver, check_in_s, check_out_s, check_in_reason, check_in_lon \
             FROM visit_progress WHERE date = $1 AND station IN ({}) ORDER BY visit",
            super::marks(2, unit.stations.len())
        );
        let mut query = sqlx::query(&sql).bind(date.as_str());
        for s in &unit.stations {
            query = query.bind(s);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| Progress {
                visit: r.get("visit"),
                caregiver: r.get("caregiver"),
                check_in: r.get("check_in_s"),
                check_out: r.get("check_out_s"),
                check_in_reason: r.get("check_in_reason"),
                verified: r.get::<Option<f64>, _>("check_in_lon").is_some(),
            })
            .collect())
    }

    /// The caregivers absent on a day.
    pub async fn absent_on(&self, date: &PlanDate) -> Result<Vec<String>, AppError> {
        Ok(sqlx::query_scalar("SELECT caregiver FROM absences WHERE date = $1 ORDER BY caregiver")
            .bind(date.as_str())
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn save_position(&self, caregiver: &str, p: &LastPosition) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO positions (caregiver, date, at_s, lon, lat, off_since_s) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT(caregiver) DO UPDATE SET \
             date = excluded.date, at_s = excluded.at_s, lon = excluded.lon, lat = excluded.lat, \
             off_since_s = excluded.off_since_s",
        )
        .bind(caregiver)
        .bind(&p.date)
        .bind(p.at)
        .bind(p.lon)
        .bind(p.lat)
        .bind(p.off_since)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn last_position(&self, caregiver: &str) -> Result<Option<LastPosition>, AppError> {
        let row = sqlx::query(
            "SELECT date, at_s, lon, lat, off_since_s FROM positions WHERE caregiver = $1",
        )
        .bind(caregiver)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| LastPosition {
            date: r.get("date"),
            at: r.get("at_s"),
            lon: r.get("lon"),
            lat: r.get("lat"),
            off_since: r.get("off_since_s"),
        }))
    }

    pub async fn alerts_of(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<StoredAlert>, AppError> {
        let rows = sqlx::query(
            "SELECT dedup, station, date, caregiver, visit, kind, detail, at_s, code, params, \
             acked_by, acked_at_s FROM alerts WHERE station = $1 AND date = $2 ORDER BY at_s, dedup",
        )
        .bind(station)
        .bind(date.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(stored_alert).collect())
    }

    pub async fn alert(&self, dedup: &str) -> Result<Option<StoredAlert>, AppError> {
        let row = sqlx::query(
            "SELECT dedup, station, date, caregiver, visit, kind, detail, at_s, code, params, \
             acked_by, acked_at_s FROM alerts WHERE dedup = $1",
        )
        .bind(dedup)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(stored_alert))
    }

    /// The last positions reported on `date` by the station's caregivers.
    pub async fn positions_of_station(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<(String, LastPosition)>, AppError> {
        let rows = sqlx::query(
            "SELECT p.caregiver, p.date, p.at_s, p.lon, p.lat, p.off_since_s FROM positions p \
             JOIN caregivers c ON c.id = p.caregiver WHERE c.station = $1 AND p.date = $2 \
             ORDER BY p.caregiver",
        )
        .bind(station)
        .bind(date.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let p = LastPosition {
                    date: r.get("date"),
                    at: r.get("at_s"),
                    lon: r.get("lon"),
                    lat: r.get("lat"),
                    off_since: r.get("off_since_s"),
                };
                (r.get("caregiver"), p)
            })
            .collect())
    }
}

/// An alert as the station sees it: what was raised, and who acknowledged it when.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct StoredAlert {
    #[serde(flatten)]
    pub alert: AlertRow,
    pub acked_by: Option<String>,
    /// Seconds from local midnight of the alert's day.
    pub acked_at: Option<i64>,
}

fn stored_alert(r: &sqlx::any::AnyRow) -> StoredAlert {
    StoredAlert {
        alert: AlertRow {
            dedup: r.get("dedup"),
            station: r.get("station"),
            date: r.get("date"),
            caregiver: r.get("caregiver"),
            visit: r.get("visit"),
            code: r.get::<Option<String>, _>("code").unwrap_or_else(|| r.get("kind")),
            params: r
                .get::<Option<String>, _>("params")
                .and_then(|p| serde_json::from_str(&p).ok())
                .unwrap_or_else(|| serde_json::json!({})),
            kind: r.get("kind"),
            detail: r.get("detail"),
            at: r.get("at_s"),
        },
        acked_by: r.get("acked_by"),
        acked_at: r.get("acked_at_s"),
    }
}
