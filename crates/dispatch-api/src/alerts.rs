//! Alerts a dispatcher must see: a caregiver off their planned path for too long (route
//! deviation), a visit not started well after its window opened (lateness), a visit checked
//! in but not out long after its duration. Each is raised once, stored, and put on the
//! station's stream.

use crate::app::AppState;
use crate::date::PlanDate;
use crate::error::AppError;
use crate::store::{AlertRow, LastPosition};
use roads::LonLat;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// When an alert is raised.
#[derive(Clone, Copy, Debug)]
pub struct AlertSettings {
    /// Farther than this from the planned path counts as off it.
    pub deviation_m: f64,
    /// Off the path this long raises a deviation alert.
    pub deviation_s: i64,
    /// Not checked in this long after the window opened raises a lateness alert.
    pub late_after_s: i64,
    /// Not checked out this long after the visit's duration raises an alert.
    pub check_out_margin_s: i64,
    /// How often lateness and check-outs are looked at.
    pub scan_every: Duration,
}

impl Default for AlertSettings {
    fn default() -> AlertSettings {
        AlertSettings {
            deviation_m: 300.0,
            deviation_s: 300,
            late_after_s: 900,
            check_out_margin_s: 900,
            scan_every: Duration::from_secs(30),
        }
    }
}

/// Stores and streams an alert unless it was raised already; `None` then.
pub async fn raise(state: &AppState, alert: AlertRow) -> Result<Option<AlertRow>, AppError> {
    // Stored and put on the stream together: a replica that dies in between leaves neither,
    // and the next scan (here or on any replica) raises it.
    let mut change = state.store.change(&alert.station).await?;
    if !change.raise_alert(&alert).await? {
        return Ok(None);
    }
    change.event("alert", &serde_json::to_value(&alert)?).await?;
    change.commit().await?;
    tracing::warn!(station = %alert.station, kind = %alert.kind, detail = %alert.detail, "alert");
    Ok(Some(alert))
}

/// Looks at every station's day now for late visits and missing check-outs; returns the
/// alerts raised.
pub async fn scan(state: &AppState) -> Result<Vec<AlertRow>, AppError> {
    let (date, now) = state.clock.now();
    let settings = state.alert_settings;
    let mut raised = Vec::new();
    for station in state
        .store
        .all_active::<formats::scenario::Station>(crate::store::MasterKind::Stations)
        .await?
    {
        let Some((_, plan)) = state.store.current_plan(&station.id, &date).await? else { continue };
        let progress: HashMap<String, crate::store::Progress> = state
            .store
            .progress_of_day(&station.id, &date)
            .await?
            .into_iter()
            .map(|p| (p.visit.clone(), p))
            .collect();
        // One read of the day's open orders, not one per stop: this runs every half minute.
        let open: HashMap<String, crate::order::Order> = state
            .store
            .open_orders(&station.id, &date)
            .await?
            .into_iter()
            .map(|o| (o.id.clone(), o))
            .collect();
        for route in &plan.routes {
            for stop in &route.stops {
                // A pick-up is no order; each part of a two-caregiver order is its caregiver's.
                let Some(order) = open.get(crate::order::order_of(&stop.visit)) else { continue };
                let alert = |kind: &str, detail: String| AlertRow {
                    dedup: format!("{kind}:{}", stop.visit),
                    station: station.id.clone(),
                    date: date.to_string(),
                    caregiver: Some(route.caregiver.clone()),
                    visit: Some(stop.visit.clone()),
                    kind: kind.to_string(),
                    detail,
                    at: now,
                };
                match progress.get(&stop.visit) {
                    None => {
                        // The window the planned start falls in.
                        let opened = order
                            .windows
                            .iter()
                            .rev()
                            .find(|w| w.start <= stop.start)
                            .or(order.windows.first())
                            .map_or(stop.start.0, |w| w.start.0);
                        if now > opened + settings.late_after_s {
                            let detail = format!(
                                "visit {} by {} not started {} min after its window opened",
                                stop.visit,
                                route.caregiver,
                                (now - opened) / 60
                            );
                            raised.extend(raise(state, alert("late", detail)).await?);
                        }
                    }
                    Some(p) if p.check_out.is_none() => {
                        let due = p.check_in + order.duration.0 + settings.check_out_margin_s;
                        if now > due {
                            let detail = format!(
                                "visit {} by {} checked in at {} but not out",
                                stop.visit,
                                route.caregiver,
                                hhmm(p.check_in)
                            );
                            raised.extend(raise(state, alert("no_check_out", detail)).await?);
                        }
                    }
                    Some(_) => {}
                }
            }
        }
    }
    Ok(raised)
}

/// Records a caregiver's position and raises a deviation alert when they have been off their
/// planned path for too long.
pub async fn on_position(
    state: &AppState,
    caregiver: &str,
    date: &PlanDate,
    at: i64,
    position: LonLat,
) -> Result<(Option<f64>, Option<AlertRow>), AppError> {
    let settings = state.alert_settings;
    let previous = state.store.last_position(caregiver).await?.filter(|p| p.date == date.as_str());
    let path = planned_path(state, caregiver, date).await?;
    let distance = path.map(|path| distance_to_polyline(&path, position));
    let off = distance.is_some_and(|d| d > settings.deviation_m);
    let off_since =
        if off { Some(previous.as_ref().and_then(|p| p.off_since).unwrap_or(at)) } else { None };
    state
        .store
        .save_position(
            caregiver,
            &LastPosition {
                date: date.to_string(),
                at,
                lon: position.lon,
                lat: position.lat,
                off_since,
            },
        )
        .await?;
    let mut alert = None;
    if let (Some(since), Some(d)) = (off_since, distance) {
        if at - since >= settings.deviation_s {
            let station =
                state.store.caregiver(caregiver).await?.map(|c| c.station).unwrap_or_default();
            let row = AlertRow {
                dedup: format!("deviation:{caregiver}:{date}:{since}"),
                station,
                date: date.to_string(),
                caregiver: Some(caregiver.to_string()),
                visit: None,
                kind: "deviation".into(),
                detail: format!(
                    "{caregiver} is {d:.0} m off the planned path since {}",
                    hhmm(since)
                ),
                at,
            };
            alert = raise(state, row).await?;
        }
    }
    Ok((distance, alert))
}

/// The road path of the caregiver's route in the day's current plan, kept per plan: position
/// updates come often, plans change seldom. `None` without a route.
async fn planned_path(
    state: &AppState,
    caregiver: &str,
    date: &PlanDate,
) -> Result<Option<Arc<Vec<LonLat>>>, AppError> {
    let Some(cg) = state.store.caregiver(caregiver).await? else { return Ok(None) };
    let Some(plan) = state.store.newest_done_plan(&cg.station, date).await? else {
        return Ok(None);
    };
    let key = format!("{plan}/{caregiver}");
    if let Some(path) = state.paths.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(Some(path));
    }
    let view = crate::route_view::load(state, caregiver, date).await?;
    if view.stops.is_empty() {
        return Ok(None);
    }
    if view.roads.is_none() {
        // Straight legs are no path to stray from: deviation is not watched there.
        return Ok(None);
    }
    let path = tokio::task::spawn_blocking(move || Arc::new(view.legs().concat()))
        .await
        .map_err(|e| AppError::Internal(format!("path lookup stopped: {e}")))?;
    if let Ok(mut m) = state.paths.lock() {
        m.insert(key, path.clone());
    }
    Ok(Some(path))
}

/// Metres from `p` to a polyline, on a local flat projection (fine at city scale).
pub fn distance_to_polyline(line: &[LonLat], p: LonLat) -> f64 {
    let proj = roads::LocalProjection::new(p.lat);
    let [px, py] = proj.forward(p);
    let xy: Vec<[f64; 2]> = line.iter().map(|q| proj.forward(*q)).collect();
    if xy.len() == 1 {
        return ((xy[0][0] - px).powi(2) + (xy[0][1] - py).powi(2)).sqrt();
    }
    xy.windows(2)
        .map(|s| {
            let ([ax, ay], [bx, by]) = (s[0], s[1]);
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            let t = if len2 == 0.0 {
                0.0
            } else {
                (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
            };
            ((ax + t * dx - px).powi(2) + (ay + t * dy - py).powi(2)).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

fn hhmm(s: i64) -> String {
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

/// Scans for alerts every `scan_every` until the service stops.
pub fn spawn_scanner(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.alert_settings.scan_every);
        loop {
            tick.tick().await;
            if let Err(e) = scan(&state).await {
                tracing::error!(error = %e, "alert scan failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_to_a_street() {
        let line = [LonLat { lon: 1.5, lat: 42.5 }, LonLat { lon: 1.51, lat: 42.5 }];
        // 0.001 degrees of latitude is about 111 m.
        let d = distance_to_polyline(&line, LonLat { lon: 1.505, lat: 42.501 });
        assert!((d - 111.0).abs() < 2.0, "{d}");
        assert!(distance_to_polyline(&line, LonLat { lon: 1.505, lat: 42.5 }) < 0.01);
    }
}
