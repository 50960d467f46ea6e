//! Ratings of finished visits, through one-time links.

use super::{now_ms, StationChange, Store};
use crate::error::AppError;
use sqlx::Row;
use std::collections::HashMap;

/// A visit's rating link and, once given, its rating.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Rating {
    pub visit: String,
    pub station: String,
    pub caregiver: String,
    pub date: String,
    pub stars: Option<i64>,
    pub comment: Option<String>,
}

fn rating(r: &sqlx::any::AnyRow) -> Rating {
    Rating {
        visit: r.get("visit"),
        station: r.get("station"),
        caregiver: r.get("caregiver"),
        date: r.get("date"),
        stars: r.get("stars"),
        comment: r.get("comment"),
    }
}

/// Where a finished visit's rating stands.
#[derive(Clone, Debug, PartialEq)]
pub enum RatingState {
    /// Waiting for the family, through this link (`None` for links issued before links were
    /// kept: a dispatcher issues a new one).
    Open(Option<String>),
    Rated(i64),
}

const COLUMNS: &str = "visit, station, caregiver, date, stars, comment";

impl Store {
    /// Issues the visit's rating link (`link`, found by its hash): a new visit gets a row; an
    /// unrated one a new link, the old one no longer working. `Ok(false)` when the visit was
    /// rated already.
    pub async fn issue_rating_link(
        &self,
        r: &Rating,
        link: &str,
        link_hash: &str,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO ratings (visit, link_hash, link, station, caregiver, date) \
             VALUES ($1, $2, $6, $3, $4, $5) \
             ON CONFLICT(visit) DO UPDATE SET link_hash = excluded.link_hash, link = excluded.link \
             WHERE ratings.stars IS NULL",
        )
        .bind(&r.visit)
        .bind(link_hash)
        .bind(&r.station)
        .bind(&r.caregiver)
        .bind(&r.date)
        .bind(link)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The rating state of a station's visits on `date`: the open link of each unrated one,
    /// the stars of each rated one.
    pub async fn rating_state_of_day(
        &self,
        station: &str,
        date: &str,
    ) -> Result<HashMap<String, RatingState>, AppError> {
        let rows =
            sqlx::query("SELECT visit, link, stars FROM ratings WHERE station = $1 AND date = $2")
                .bind(station)
                .bind(date)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let state = match r.get::<Option<i64>, _>("stars") {
                    Some(stars) => RatingState::Rated(stars),
                    None => RatingState::Open(r.get("link")),
                };
                (r.get("visit"), state)
            })
            .collect())
    }

    /// The rating a link is for.
    pub async fn rating_by_link(&self, link_hash: &str) -> Result<Option<Rating>, AppError> {
        let sql = format!("SELECT {COLUMNS} FROM ratings WHERE link_hash = $1");
        let row = sqlx::query(&sql).bind(link_hash).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(rating))
    }

    /// The ratings given for a station's visits on days `from..=to`, by day and visit.
    pub async fn ratings_of(
        &self,
        station: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<Rating>, AppError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ratings WHERE station = $1 AND date >= $2 AND date <= $3 \
             AND stars IS NOT NULL ORDER BY date, visit"
        );
        let rows =
            sqlx::query(&sql).bind(station).bind(from).bind(to).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(rating).collect())
    }
}

/// Changes a station's dispatchers hear of, each with its event.
impl StationChange {
    /// Stores the rating the link asks for, once; `Ok(false)` when it was given already.
    pub async fn rate(
        &mut self,
        link_hash: &str,
        stars: i64,
        comment: Option<&str>,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "UPDATE ratings SET stars = $1, comment = $2, rated_ms = $3, link = NULL \
             WHERE link_hash = $4 AND stars IS NULL",
        )
        .bind(stars)
        .bind(comment)
        .bind(now_ms())
        .bind(link_hash)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
