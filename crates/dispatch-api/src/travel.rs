//! Where a station's travel times come from: its newest uploaded matrix, else the service's
//! road network. Every replica reads the matrix from the database, and every plan records
//! the version it was made on (`plans.travel`); a solve keeps the matrix it started with.

use crate::app::AppState;
use crate::error::AppError;
use formats::scenario::TravelMode;
use formats::travel_matrix::TravelMatrix;
use planner::travel::TravelSource;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The largest matrix upload: a county's 3,200 clients at one station (3,201 points, 10
/// million pairs) with seconds and metres for two modes is 208 MB of JSON (benches/
/// matrix_upload.rs).
pub const MAX_UPLOAD_BYTES: usize = 256 << 20;

/// A station's travel source and the label plans record: `roads` or `matrix v{version}`.
#[derive(Clone)]
pub struct StationSource {
    pub source: TravelSource,
    pub label: String,
}

/// Where a station's travel times come from, as its map and routes say it.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct TravelInfo {
    /// `roads`, or `matrix v{version}`.
    pub source: String,
    /// `road`: legs follow the roads; `straight`: drawn straight.
    pub legs: &'static str,
    pub deviation_alerts: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<&'static str>,
}

impl StationSource {
    /// Whether legs follow roads; else they are drawn straight and route deviation is not
    /// watched (there is no road path to stray from).
    pub fn has_paths(&self) -> bool {
        self.source.has_paths()
    }

    /// The road network, where legs follow roads.
    pub fn roads(&self) -> Option<Arc<roads::RoadNetwork>> {
        match &self.source {
            TravelSource::Roads(network) => Some(network.clone()),
            _ => None,
        }
    }

    /// For route answers and pages: how legs are drawn and whether deviation is watched.
    pub fn describe(&self) -> TravelInfo {
        let roads = self.has_paths();
        TravelInfo {
            source: self.label.clone(),
            legs: if roads { "road" } else { "straight" },
            deviation_alerts: roads,
            why: (!roads).then_some(
                "the station plans on its own travel matrix, which has no road paths: \
                 legs are drawn straight and route-deviation alerts are off",
            ),
        }
    }
}

/// Parsed matrices by version, shared by the requests of this process.
#[derive(Default)]
pub struct MatrixCache(Mutex<HashMap<i64, Arc<TravelMatrix>>>);

impl MatrixCache {
    /// Forgets every parsed matrix (they are read again from the database when asked for).
    pub fn clear(&self) {
        if let Ok(mut cache) = self.0.lock() {
            cache.clear();
        }
    }
}

/// The travel source `station`'s days are planned on now: its plan unit's first station's
/// newest matrix (a pool plans on one matrix, which should cover every member's points: a point
/// it misses has its visits unassigned), else the roads.
pub async fn of_station(state: &AppState, station: &str) -> Result<StationSource, AppError> {
    let unit = state.store.plan_unit(station).await?;
    let station = unit.stations.first().map_or(station, String::as_str);
    match state.store.newest_matrix(station).await? {
        Some(row) => Ok(StationSource {
            source: TravelSource::Matrix(matrix(state, row.version).await?),
            label: format!("matrix v{}", row.version),
        }),
        None => match &state.network {
            Some(network) => Ok(StationSource {
                source: TravelSource::Roads(network.clone()),
                label: "roads".into(),
            }),
            None => Err(AppError::Conflict(format!(
                "station {station} has no travel times: the service runs without roads (no \
                 OpenStreetMap extract), so upload the station's matrix first \
                 (PUT /v1/stations/{station}/matrix)"
            ))),
        },
    }
}

/// The travel source labelled `label` (`roads`, `matrix v3`: what a plan was queued on), so
/// a plan is solved on the source it was asked on, whenever a worker takes it.
pub async fn named(
    state: &AppState,
    station: &str,
    label: &str,
) -> Result<StationSource, AppError> {
    if let Some(version) = label.strip_prefix("matrix v").and_then(|v| v.parse::<i64>().ok()) {
        let source = TravelSource::Matrix(matrix(state, version).await?);
        return Ok(StationSource { source, label: label.to_string() });
    }
    match (&state.network, label) {
        (Some(network), "roads") => {
            Ok(StationSource { source: TravelSource::Roads(network.clone()), label: label.into() })
        }
        // Another build's label, or a process without the roads: the station's source now.
        _ => of_station(state, station).await,
    }
}

/// Matrix version `version`, parsed once per process.
async fn matrix(state: &AppState, version: i64) -> Result<Arc<TravelMatrix>, AppError> {
    if let Some(m) = state.matrices.0.lock().ok().and_then(|c| c.get(&version).cloned()) {
        return Ok(m);
    }
    let body = state.store.matrix_body(version).await?.ok_or_else(|| {
        AppError::Conflict(format!("matrix v{version} was dropped meanwhile; try again"))
    })?;
    let parsed = tokio::task::spawn_blocking(move || TravelMatrix::from_json(&body))
        .await
        .map_err(|e| AppError::Internal(format!("reading a matrix stopped: {e}")))?
        .map_err(|e| AppError::Internal(format!("stored matrix v{version}: {e}")))?;
    let parsed = Arc::new(parsed);
    if let Ok(mut cache) = state.matrices.0.lock() {
        // Newer versions replace older ones: the oldest go first when the cache is full.
        while cache.len() >= CACHED_VERSIONS {
            let Some(&oldest) = cache.keys().min() else { break };
            cache.remove(&oldest);
        }
        cache.insert(version, parsed.clone());
    }
    Ok(parsed)
}

/// How many parsed matrix versions a process keeps (one per station of a county's stations,
/// with room for versions still used by solves in flight, which hold their own copy).
const CACHED_VERSIONS: usize = 16;

/// What an upload must cover: the stations (one, or a pool's), their clients and canteens,
/// and their caregivers' travel modes. The answer names everything missing.
pub fn uncovered(
    matrix: &TravelMatrix,
    stations: &[String],
    clients: &[String],
    canteens: &[String],
    modes: impl IntoIterator<Item = TravelMode>,
) -> Option<(String, String)> {
    let missing = |ids: &[String]| -> Vec<String> {
        ids.iter().filter(|id| matrix.point(id).is_none()).cloned().collect()
    };
    let mut parts = Vec::new();
    for station in stations.iter().filter(|s| matrix.point(s).is_none()) {
        parts.push(format!("the station {station}"));
    }
    for (what, ids) in [("clients", missing(clients)), ("canteens", missing(canteens))] {
        if !ids.is_empty() {
            let shown: Vec<&str> = ids.iter().take(20).map(String::as_str).collect();
            let more = if ids.len() > shown.len() {
                format!(" and {} more", ids.len() - 20)
            } else {
                String::new()
            };
            parts.push(format!("{what} {}{more}", shown.join(", ")));
        }
    }
    if !parts.is_empty() {
        return Some((
            "points".into(),
            format!("the matrix has no point for {}", parts.join("; ")),
        ));
    }
    // Each caregiver's mode once, in a fixed order.
    let modes: std::collections::BTreeSet<TravelMode> = modes.into_iter().collect();
    let lacking: Vec<&str> =
        modes.into_iter().filter(|m| !matrix.has_mode(*m)).map(TravelMode::as_str).collect();
    if !lacking.is_empty() {
        return Some((
            "modes".into(),
            format!(
                "the station's caregivers travel by {}, which the matrix has no times for",
                lacking.join(", ")
            ),
        ));
    }
    None
}

/// Stores a scenario's own matrix for each of its stations (the part among the station, its
/// clients, the canteens and its caregivers' own places; for a pool's first station, among
/// every member's, as the pool plans on it), unless the station's newest matrix is that one
/// already. A matrix that misses a point or a mode the station needs stops the start, naming
/// them.
pub async fn import_scenario_matrix(
    store: &crate::store::Store,
    scenario: &formats::scenario::Scenario,
    matrix: &TravelMatrix,
) -> Result<(), crate::config::ServeError> {
    use crate::config::ServeError;
    let units = scenario.plan_units();
    for station in &scenario.stations {
        let members = match units.iter().find(|u| u.stations.first() == Some(&station.id)) {
            Some(unit) => unit.stations.clone(),
            None => vec![station.id.clone()],
        };
        let clients: Vec<String> = scenario
            .clients
            .iter()
            .filter(|c| members.contains(&c.station))
            .map(|c| c.id.clone())
            .collect();
        let canteens: Vec<String> = scenario.canteens.iter().map(|c| c.id.clone()).collect();
        let caregivers = || scenario.caregivers.iter().filter(|c| members.contains(&c.station));
        let modes = caregivers().map(|c| c.mode);
        if let Some((field, reason)) = uncovered(matrix, &members, &clients, &canteens, modes) {
            return Err(ServeError::Scenario(format!(
                "travel.matrix for station {}: {field}: {reason}",
                station.id
            )));
        }
        let mut ids = members.clone();
        ids.extend(clients);
        ids.extend(canteens);
        // Caregivers' own places the matrix names (`C1@home`); one it does not name has no
        // way, as a client it does not cover.
        for c in caregivers() {
            let (start, end) = c.own_places();
            for (id, _) in start.into_iter().chain(end) {
                if matrix.point(&id).is_some() && !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let part =
            matrix.select(&ids).map_err(|e| ServeError::Scenario(format!("travel.matrix: {e}")))?;
        let body = serde_json::to_string(&part.to_json()).map_err(AppError::from)?;
        if let Some(row) = store.newest_matrix(&station.id).await? {
            if store.matrix_body(row.version).await?.as_deref() == Some(body.as_str()) {
                continue;
            }
        }
        let names: Vec<&str> = part.modes().map(TravelMode::as_str).collect();
        let mut change = store.change(&station.id).await?;
        let row = change.put_matrix(&station.id, ids.len(), &names.join(","), &body).await?;
        change.commit().await?;
        tracing::info!(station = %station.id, version = row.version, "stored the scenario's travel matrix");
    }
    Ok(())
}
