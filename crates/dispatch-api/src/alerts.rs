//! Alerts a dispatcher must see: a caregiver off their planned path for too long (route
//! deviation), a visit not checked in a grace after its planned start or past its window's
//! latest start (lateness), a visit checked in but not out long after its duration. Each is raised once, stored, and put on the
//! station's stream.

use crate::app::AppState;
use crate::date::{clock_time, PlanDate};
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
    /// Not checked in this long after the planned start raises a lateness alert (sooner when
    /// the visit's window closes first).
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

/// What an alert reports: its stable code (`code`, listed in the README) and parameters
/// (`params`: ids, times in seconds from local midnight, limits). The pages write the sentence
/// in their own language from these; `detail` is the English one.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "code", content = "params")]
pub enum Condition {
    /// Not checked in `minutes` after the planned start.
    #[serde(rename = "late.after_start")]
    LateAfterStart { visit: String, caregiver: String, planned_start: i64, minutes: i64 },
    /// Not checked in, and the window the visit is planned in closed at `window_end`.
    #[serde(rename = "late.window_closed")]
    LateWindowClosed { visit: String, caregiver: String, planned_start: i64, window_end: i64 },
    /// Checked in at `check_in` and not out long after the visit's duration.
    #[serde(rename = "no_check_out")]
    NoCheckOut { visit: String, caregiver: String, check_in: i64 },
    /// `metres` off the planned path since `since`.
    #[serde(rename = "deviation")]
    Deviation { caregiver: String, metres: i64, since: i64 },
    /// A client rated the visit `stars` of 5.
    #[serde(rename = "low_rating")]
    LowRating { visit: String, caregiver: String, stars: i64, comment: Option<String> },
}

impl Condition {
    /// The alert's kind: the group its codes belong to (`late` has two codes).
    pub fn kind(&self) -> &'static str {
        match self {
            Condition::LateAfterStart { .. } | Condition::LateWindowClosed { .. } => "late",
            Condition::NoCheckOut { .. } => "no_check_out",
            Condition::Deviation { .. } => "deviation",
            Condition::LowRating { .. } => "low_rating",
        }
    }

    /// The condition in English.
    pub fn detail(&self) -> String {
        match self {
            Condition::LateAfterStart { visit, caregiver, planned_start, minutes } => format!(
                "visit {visit} by {caregiver} not checked in {minutes} min after its planned \
                 start {}",
                clock_time(*planned_start)
            ),
            Condition::LateWindowClosed { visit, caregiver, planned_start, window_end } => {
                format!(
                    "visit {visit} by {caregiver} not checked in, and its window closed at {} \
                     (planned start {})",
                    clock_time(*window_end),
                    clock_time(*planned_start)
                )
            }
            Condition::NoCheckOut { visit, caregiver, check_in } => format!(
                "visit {visit} by {caregiver} checked in at {} but not out",
                clock_time(*check_in)
            ),
            Condition::Deviation { caregiver, metres, since } => {
                format!(
                    "{caregiver} is {metres} m off the planned path since {}",
                    clock_time(*since)
                )
            }
            Condition::LowRating { visit, stars, comment: Some(c), .. } => {
                format!("{stars} stars for {visit}: {c}")
            }
            Condition::LowRating { visit, stars, comment: None, .. } => {
                format!("{stars} stars for {visit}")
            }
        }
    }

    /// The alert of a station's day raised `at` (seconds from local midnight), raised once per
    /// `dedup` key.
    pub fn alert(self, dedup: String, station: &str, date: &str, at: i64) -> AlertRow {
        let (caregiver, visit) = match &self {
            Condition::LateAfterStart { visit, caregiver, .. }
            | Condition::LateWindowClosed { visit, caregiver, .. }
            | Condition::NoCheckOut { visit, caregiver, .. }
            | Condition::LowRating { visit, caregiver, .. } => {
                (Some(caregiver.clone()), Some(visit.clone()))
            }
            Condition::Deviation { caregiver, .. } => (Some(caregiver.clone()), None),
        };
        let coded = serde_json::to_value(&self).unwrap_or_default();
        AlertRow {
            dedup,
            station: station.to_string(),
            date: date.to_string(),
            caregiver,
            visit,
            kind: self.kind().to_string(),
            code: coded["code"].as_str().unwrap_or(self.kind()).to_string(),
            params: coded["params"].clone(),
            detail: self.detail(),
            at,
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
                let alert = |condition: Condition| {
                    let dedup = format!("{}:{}", condition.kind(), stop.visit);
                    condition.alert(dedup, &station.id, date.as_str(), now)
                };
                let (visit, caregiver) = (stop.visit.clone(), route.caregiver.clone());
                match progress.get(&stop.visit) {
                    None => {
                        let (due, why) =
                            late_from(stop.start.0, &order.windows, settings.late_after_s);
                        if now > due {
                            let planned_start = stop.start.0;
                            let condition = match why {
                                Late::AfterPlannedStart => Condition::LateAfterStart {
                                    visit,
                                    caregiver,
                                    planned_start,
                                    minutes: (now - planned_start) / 60,
                                },
                                Late::WindowClosed => Condition::LateWindowClosed {
                                    visit,
                                    caregiver,
                                    planned_start,
                                    window_end: due,
                                },
                            };
                            raised.extend(raise(state, alert(condition)).await?);
                        }
                    }
                    Some(p) if p.check_out.is_none() => {
                        let due = p.check_in + order.duration.0 + settings.check_out_margin_s;
                        if now > due {
                            let condition =
                                Condition::NoCheckOut { visit, caregiver, check_in: p.check_in };
                            raised.extend(raise(state, alert(condition)).await?);
                        }
                    }
                    Some(_) => {}
                }
            }
        }
    }
    Ok(raised)
}

/// Why a visit not checked in counts as late.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Late {
    AfterPlannedStart,
    WindowClosed,
}

/// When a visit planned to start at `planned` (seconds from midnight) counts as late if nobody
/// has checked in: `grace` after its planned start, or when the window it is planned in can no
/// longer be met (its latest start), whichever comes first; never before the planned start
/// (a visit planned at 09:55 in a window opening at 08:00 is not late at 08:30).
pub fn late_from(planned: i64, windows: &[solver::TimeWindow], grace: i64) -> (i64, Late) {
    let after_grace = planned + grace;
    let closes = windows.iter().find(|w| w.start.0 <= planned && planned <= w.end.0);
    match closes {
        Some(w) if w.end.0 < after_grace => (w.end.0.max(planned), Late::WindowClosed),
        _ => (after_grace, Late::AfterPlannedStart),
    }
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
            let condition = Condition::Deviation {
                caregiver: caregiver.to_string(),
                metres: d.round() as i64,
                since,
            };
            let row = condition.alert(
                format!("deviation:{caregiver}:{date}:{since}"),
                &station,
                date.as_str(),
                at,
            );
            alert = raise(state, row).await?;
        }
    }
    Ok((distance, alert))
}

/// The road path of the caregiver's route in the day's current plan. `None` without a route
/// or where legs are straight (the station plans on its own matrix): no path to stray from.
async fn planned_path(
    state: &AppState,
    caregiver: &str,
    date: &PlanDate,
) -> Result<Option<Arc<Vec<LonLat>>>, AppError> {
    let view = match crate::route_view::load(state, caregiver, date).await {
        Ok(view) => view,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if view.stops.is_empty() || view.roads.is_none() {
        return Ok(None);
    }
    let paths = crate::route_view::day_paths(state, vec![view]).await?;
    Ok(paths.into_iter().next().map(|(_, path)| path))
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

    use solver::{Seconds, TimeWindow};

    fn w(start: i64, end: i64) -> TimeWindow {
        TimeWindow::new(Seconds(start), Seconds(end))
    }

    #[test]
    fn late_counts_from_the_planned_start_never_before_it() {
        let grace = 900;
        // Planned at 09:55 in a window 08:00-12:00: late from 10:10, not from 08:15.
        assert_eq!(
            late_from(35_700, &[w(28_800, 43_200)], grace),
            (36_600, Late::AfterPlannedStart)
        );
        // The window's latest start comes first: late when it passes.
        assert_eq!(late_from(35_700, &[w(28_800, 36_000)], grace), (36_000, Late::WindowClosed));
        // Planned at the very end of its window: late at once after the planned start.
        assert_eq!(late_from(36_000, &[w(28_800, 36_000)], grace), (36_000, Late::WindowClosed));
        // Several windows: the one the start is planned in counts.
        let two = [w(28_800, 30_000), w(50_000, 60_000)];
        assert_eq!(late_from(51_000, &two, grace), (51_900, Late::AfterPlannedStart));
        // No window around the planned start (it should not happen): the grace.
        assert_eq!(late_from(40_000, &two, grace), (40_900, Late::AfterPlannedStart));
    }
}
