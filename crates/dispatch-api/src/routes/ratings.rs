//! Ratings: a client or a family member rates a finished visit through a one-time link, no
//! account needed. The link is issued at check-out (the caregiver's answer carries it) and
//! again by a dispatcher (`POST /v1/orders/{id}/rating-link`, which retires the old one); the
//! caregiver's route shows the open link until the visit is rated (`rating_link`, then `rated`);
//! `GET /v1/ratings/{link}` says what is rated and `POST` stores 1 to 5 stars and a comment,
//! once. Two stars or fewer raise a `low_rating` alert on the station's stream. Dispatchers
//! read their station's ratings with `GET /v1/stations/{id}/ratings`.

use super::{idempotent, visible_station, Idempotency, Params};
use crate::alerts;
use crate::alerts::Condition;
use crate::app::AppState;
use crate::auth::{new_token, token_hash, Caller, Role};
use crate::error::{parse_json, AppError};
use crate::store::Rating;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Ratings at or below this raise an alert.
pub const LOW_STARS: i64 = 2;
/// The longest comment, in characters.
const MAX_COMMENT: usize = 1000;

/// Issues a new link for `visit`, finished by `caregiver` at `station` on `date`; `None` when
/// it was rated already. The link is the page a family member opens: `/rate/{token}`.
pub async fn issue_link(
    state: &AppState,
    visit: &str,
    station: &str,
    caregiver: &str,
    date: &str,
) -> Result<Option<String>, AppError> {
    let rating = Rating {
        visit: visit.into(),
        station: station.into(),
        caregiver: caregiver.into(),
        date: date.into(),
        stars: None,
        comment: None,
    };
    let (token, hash) = new_token();
    let link = format!("/rate/{token}");
    Ok(state.store.issue_rating_link(&rating, &link, &hash).await?.then_some(link))
}

/// A dispatcher's new link for a checked-out visit (the old one stops working).
pub async fn reissue(
    State(state): State<AppState>,
    caller: Caller,
    Path(visit): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let what = format!("POST /v1/orders/{visit}/rating-link");
    // A repeat gets the same link: it rates one visit once, so it is kept with the key.
    let key = Idempotency::from_request(&caller, &headers, &what, b"")?;
    idempotent(&state, key, async {
        let (order, station, _) =
            state.store.order_row(&visit).await?.ok_or_else(|| AppError::no("order", &visit))?;
        caller.write_station(&station, || AppError::no("order", &visit))?;
        let progress = state.store.progress_of_day(&station, &order.date).await?;
        let Some(done) = progress.iter().find(|p| p.visit == visit && p.check_out.is_some()) else {
            return Err(AppError::Conflict(format!(
                "visit {visit:?} is not checked out: only a finished visit can be rated"
            )));
        };
        let date = order.date.to_string();
        let Some(link) = issue_link(&state, &visit, &station, &done.caregiver, &date).await? else {
            return Err(AppError::Conflict(format!("visit {visit:?} was rated already")));
        };
        let body = RatingLink { visit: &visit, link: &link };
        Ok((StatusCode::CREATED, None, serde_json::to_string(&body)?))
    })
    .await
}

async fn by_link(state: &AppState, link: &str) -> Result<(Rating, String), AppError> {
    let hash = token_hash(link);
    let rating = state.store.rating_by_link(&hash).await?.ok_or_else(|| {
        AppError::NotFound("no such rating link (it may have been replaced by a newer one)".into())
    })?;
    Ok((rating, hash))
}

/// What the link rates: the visit's day, service and caregiver's name, and whether it is done.
pub async fn show(
    State(state): State<AppState>,
    Path(link): Path<String>,
) -> Result<Response, AppError> {
    let (rating, _) = by_link(&state, &link).await?;
    let order = state.store.order_row(&rating.visit).await?.map(|(o, _, _)| o);
    let caregiver = state.store.caregiver(&rating.caregiver).await?;
    Ok(Json(RatedVisit {
        rated: rating.stars.is_some(),
        visit: rating.visit,
        date: rating.date,
        service: order.map(|o| o.service),
        caregiver: caregiver.and_then(|c| c.name).unwrap_or(rating.caregiver),
        stars: rating.stars,
    })
    .into_response())
}

/// A new rating link of a visit (the old one stops working).
#[derive(Serialize, JsonSchema)]
pub struct RatingLink<'a> {
    pub visit: &'a str,
    /// The link's secret: the page is `/rate/{link}`.
    pub link: &'a str,
}

/// What a rating link rates.
#[derive(Serialize, JsonSchema)]
pub struct RatedVisit {
    pub visit: String,
    pub date: String,
    pub service: Option<solver::ServiceKind>,
    /// The caregiver's name (their id when they have none).
    pub caregiver: String,
    pub rated: bool,
    pub stars: Option<i64>,
}

/// A rating as given (also the `rating` event on the station's stream).
#[derive(Serialize, JsonSchema)]
pub struct GivenRating<'a> {
    pub visit: &'a str,
    pub caregiver: &'a str,
    pub date: &'a str,
    pub stars: i64,
    pub comment: Option<&'a str>,
}

/// A station's ratings of some days.
#[derive(Serialize, JsonSchema)]
pub struct StationRatings<'a> {
    pub station: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// Ratings given.
    pub count: usize,
    pub mean_stars: Option<f64>,
    /// Ratings of two stars or fewer.
    pub low: usize,
    /// Every link of the days, given or not.
    pub ratings: Vec<Rating>,
}

/// The body of `POST /v1/ratings/{link}`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    stars: i64,
    #[serde(default)]
    comment: Option<String>,
}

/// Stores the rating, once; a low one raises an alert.
pub async fn rate(
    State(state): State<AppState>,
    Path(link): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (rating, hash) = by_link(&state, &link).await?;
    // No token here: the keys are the link's own.
    let scope = format!("rating-{}", &hash[..16]);
    let key = Idempotency::scoped(&scope, &headers, "POST /v1/ratings/{link}", &body)?;
    idempotent(&state, key, store_rating(&state, rating, hash, &body)).await
}

async fn store_rating(
    state: &AppState,
    rating: Rating,
    hash: String,
    body: &[u8],
) -> Result<(StatusCode, Option<String>, String), AppError> {
    let new: NewRating = parse_json(body)?;
    if !(1..=5).contains(&new.stars) {
        return Err(AppError::invalid("stars", "must be 1 to 5"));
    }
    let comment = new.comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(AppError::invalid("comment", format!("at most {MAX_COMMENT} characters")));
    }
    let mut change = state.store.change(&rating.station).await?;
    if !change.rate(&hash, new.stars, comment.as_deref()).await? {
        return Err(AppError::Conflict("this visit was rated already".into()));
    }
    let data = serde_json::to_value(GivenRating {
        visit: &rating.visit,
        caregiver: &rating.caregiver,
        date: &rating.date,
        stars: new.stars,
        comment: comment.as_deref(),
    })?;
    change.event("rating", &data).await?;
    change.commit().await?;
    if new.stars <= LOW_STARS {
        let (today, now) = state.clock.now();
        let condition = Condition::LowRating {
            visit: rating.visit.clone(),
            caregiver: rating.caregiver.clone(),
            stars: new.stars,
            comment,
        };
        let dedup = format!("low_rating:{}", rating.visit);
        let alert = condition.alert(dedup, &rating.station, today.as_str(), now);
        alerts::raise(state, alert).await?;
    }
    Ok((StatusCode::CREATED, None, data.to_string()))
}

/// The station's ratings of days `from..=to` (default: this month), with their mean.
pub async fn of_station(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    visible_station(&state, &caller, &station, &[Role::Admin, Role::Dispatcher, Role::Planner])
        .await?;
    let (today, _) = state.clock.now();
    let month = today.month();
    let from = params.date("from")?.map_or(format!("{month}-01"), |d| d.to_string());
    let to = params.date("to")?.map_or(format!("{month}-31"), |d| d.to_string());
    let ratings = state.store.ratings_of(&station, &from, &to).await?;
    let stars: Vec<i64> = ratings.iter().filter_map(|r| r.stars).collect();
    let mean = (!stars.is_empty()).then(|| stars.iter().sum::<i64>() as f64 / stars.len() as f64);
    let low = stars.iter().filter(|&&s| s <= LOW_STARS).count();
    let answer = StationRatings {
        station: &station,
        from: &from,
        to: &to,
        count: stars.len(),
        mean_stars: mean,
        low,
        ratings,
    };
    Ok(Json(answer).into_response())
}
