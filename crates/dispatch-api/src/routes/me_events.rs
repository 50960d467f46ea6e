//! `GET /v1/me/events`: the caregiver's own stream (Server-Sent Events). It follows their
//! station's stream (a pooled station's carries its pool's day) and says only what a new plan
//! of a day changed on the caregiver's own route — a `route` event with the visits added,
//! taken away and moved, and the stops now in order — never anything of another caregiver's.
//! Ids are the station stream's, so `Last-Event-ID` (or `?after=`) resumes on any replica.

use super::stations::station_stream;
use super::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::live::MOVE_TOLERANCE;
use crate::route_news;
use crate::store::{Store, StoredEvent};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use futures_util::Stream;
use serde_json::{json, Value};
use std::convert::Infallible;

pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    params: Params,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let me = caller.own_caregiver()?.to_string();
    let station = state
        .store
        .caregiver(&me)
        .await?
        .map(|c| c.station)
        .ok_or_else(|| AppError::NotFound(format!("no caregiver {me:?}")))?;
    let store = state.store.clone();
    let mine = move |e: StoredEvent| {
        let (store, me) = (store.clone(), me.clone());
        async move {
            let news = my_news(&store, &me, &e).await?;
            Ok(news.map(|n| Event::default().id(e.sse_id()).event("route").data(n.to_string())))
        }
    };
    station_stream(&state, station, (&headers, &params), mine).await
}

/// What event `e` means for caregiver `me`: a new plan in force (a re-plan, or a solve that
/// finished) that changed their route, against the plan in force before it.
async fn my_news(store: &Store, me: &str, e: &StoredEvent) -> Result<Option<Value>, AppError> {
    let new_plan = match e.kind.as_str() {
        "plan" => true,
        "plan_finished" => e.data["status"] == "done",
        _ => false,
    };
    let Some(id) = e.data["plan"].as_i64().filter(|_| new_plan) else { return Ok(None) };
    let route_in = |plan: Option<i64>| async move {
        let Some(plan) = plan else { return Ok::<_, AppError>(Vec::new()) };
        let Some(version) = store.latest_version(plan).await? else { return Ok(Vec::new()) };
        let plan: solver::Plan = serde_json::from_value(version.plan)?;
        Ok(route_news::route_of(&plan, me))
    };
    let after = route_in(Some(id)).await?;
    let before = route_in(store.done_plan_before(id).await?).await?;
    Ok(route_news::news(&before, &after, MOVE_TOLERANCE.0).map(|mut news| {
        news["plan"] = json!(id);
        news["date"] = e.data["date"].clone();
        news["reason"] = e.data.get("reason").cloned().unwrap_or_else(|| json!("solve"));
        news
    }))
}
