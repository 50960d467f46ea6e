//! A plan unit's day as the solver sees it — a station's, or a pool's (every member station's
//! caregivers and clients in one problem): its active caregivers and clients, the open orders
//! of the day as visits (meals as meal rounds where there are canteens), and the road travel
//! among them. The travel among a unit's stations and all their clients is computed once and
//! kept: every day of the unit, and every re-plan of it, cuts its matrices out of that one (an
//! urgent order is always for a known client).

use crate::app::AppState;
use crate::date::PlanDate;
use crate::error::AppError;
use crate::order::Order;
use crate::travel::StationSource;
use formats::scenario::{GeoPoint, Pool, Scenario, StationDay, TravelMode};
use planner::travel::StationTravel;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// A station day and its travel.
pub struct DayProblem {
    pub day: StationDay,
    pub travel: StationTravel,
}

/// The day of the plan unit of station `station_id` (or of pool `station_id`) from the store;
/// `absent` caregivers are left out unless `keep_absent` (a re-plan keeps them: what they
/// already did stays theirs).
pub async fn scenario(
    state: &AppState,
    station_id: &str,
    date: &PlanDate,
    keep_absent: bool,
) -> Result<(Scenario, HashSet<String>), AppError> {
    let unit = state.store.plan_unit(station_id).await?;
    let absent: HashSet<String> = state.store.absent_on(date).await?.into_iter().collect();
    let (mut stations, mut caregivers, mut clients) = (Vec::new(), Vec::new(), Vec::new());
    let mut canteens: Vec<formats::scenario::Canteen> = Vec::new();
    for id in &unit.stations {
        let station = state
            .store
            .station(id)
            .await?
            .ok_or_else(|| AppError::invalid("station", format!("unknown station {id:?}")))?;
        caregivers.extend(
            state
                .store
                .caregivers_of(id)
                .await?
                .into_iter()
                .filter(|c| keep_absent || !absent.contains(&c.id)),
        );
        let own = state.store.clients_of(id).await?;
        // With canteens, meals are meal rounds: picked up at a canteen, then delivered.
        for canteen in state.store.canteens_for(id, &own).await? {
            if !canteens.iter().any(|k| k.id == canteen.id) {
                canteens.push(canteen);
            }
        }
        clients.extend(own);
        stations.push(station);
    }
    for c in &mut clients {
        // A canteen closed since: the client's meals come from the nearest open one.
        if c.canteen.as_ref().is_some_and(|id| !canteens.iter().any(|k| &k.id == id)) {
            c.canteen = None;
        }
    }
    let orders = state.store.unit_open_orders(&unit, date).await?;
    let pools = if unit.stations == [unit.id.clone()] {
        Vec::new()
    } else {
        vec![Pool { id: unit.id.clone(), name: None, stations: unit.stations.clone() }]
    };
    let scenario = Scenario {
        name: date.to_string(),
        date: Some(date.to_string()),
        caregivers,
        clients,
        canteens,
        visits: orders.iter().flat_map(Order::visits).collect(),
        // A two-caregiver order's two visits, served together (or one after the other).
        links: orders.iter().filter_map(Order::link).collect(),
        stations,
        pools,
        ..Scenario::default()
    };
    Ok((scenario, absent))
}

/// The travel among a plan unit's stations, all their clients, the canteens and the
/// caregivers' own places, per mode.
struct StationWide {
    /// What it was computed for: the points' ids and places, and the modes.
    key: String,
    modes: Vec<TravelMode>,
    /// Point index of each station (`id`), client, canteen and place.
    index: HashMap<String, usize>,
    travel: StationTravel,
}

/// Unit-wide travel, kept per plan unit while its points and modes stay the same.
#[derive(Default)]
pub struct TravelCache(Mutex<HashMap<String, Arc<StationWide>>>);

impl TravelCache {
    /// The day of `scenario`'s only plan unit (a station, or a pool), with its travel.
    /// Blocking: run it off the async workers.
    pub fn day_problem(
        &self,
        source: &StationSource,
        scenario: &Scenario,
    ) -> Result<DayProblem, AppError> {
        let unit = scenario
            .plan_units()
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Internal("a day without its station".into()))?;
        let day =
            scenario.unit_day(&unit).map_err(|e| AppError::invalid("scenario", e.to_string()))?;
        let wide = self.station_wide(source, &unit.id, scenario, &day.modes)?;
        let points = day
            .point_ids
            .iter()
            .map(|id| {
                wide.index.get(id).copied().ok_or_else(|| {
                    AppError::Internal(format!("point {id} missing from the station's travel"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let profiles: Vec<usize> =
            day.modes.iter().filter_map(|m| wide.modes.iter().position(|w| w == m)).collect();
        let travel = wide.travel.select(&points, &profiles).map_err(travel_error)?;
        Ok(DayProblem { day, travel })
    }

    fn station_wide(
        &self,
        source: &StationSource,
        unit: &str,
        scenario: &Scenario,
        modes: &[TravelMode],
    ) -> Result<Arc<StationWide>, AppError> {
        // Every station of the unit, then the clients, canteens and caregivers' own places.
        let mut ids: Vec<String> = scenario.stations.iter().map(|s| s.id.clone()).collect();
        let mut points: Vec<GeoPoint> = scenario.stations.iter().map(|s| s.location).collect();
        for c in &scenario.clients {
            ids.push(c.id.clone());
            points.push(c.location);
        }
        // Meal rounds pick up at canteens.
        for c in &scenario.canteens {
            ids.push(c.id.clone());
            points.push(c.location);
        }
        // Caregivers who start or end at home commute from there.
        for c in &scenario.caregivers {
            let (start, end) = c.own_places();
            for (id, p) in start.into_iter().chain(end) {
                if !ids.contains(&id) {
                    ids.push(id);
                    points.push(p);
                }
            }
        }
        let cached = self.0.lock().ok().and_then(|m| m.get(unit).cloned());
        let mut all_modes: Vec<TravelMode> = modes.to_vec();
        if let Some(c) = &cached {
            all_modes.extend(c.modes.iter().copied());
        }
        all_modes.sort();
        all_modes.dedup();
        let key = format!("{}{ids:?}{points:?}{all_modes:?}", source.label);
        if let Some(c) = cached.filter(|c| c.key == key) {
            return Ok(c);
        }
        // A client the unit's matrix does not cover has no way: its visits are unassigned with
        // reason no_travel_time.
        let travel = source.source.travel(unit, &points, &ids, &all_modes).map_err(travel_error)?;
        let index = ids.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        let wide = Arc::new(StationWide { key, modes: all_modes, index, travel });
        if let Ok(mut m) = self.0.lock() {
            m.insert(unit.to_string(), wide.clone());
        }
        Ok(wide)
    }
}

fn travel_error(e: planner::travel::TravelError) -> AppError {
    use planner::travel::TravelError;
    match e {
        TravelError::Snap { .. } => AppError::invalid("location", e.to_string()),
        TravelError::MatrixMode { .. } | TravelError::NotCovered { .. } => {
            AppError::Conflict(e.to_string())
        }
        other => AppError::Internal(other.to_string()),
    }
}
