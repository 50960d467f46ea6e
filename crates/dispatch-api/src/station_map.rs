//! What a console draws a station's area from, with no tile server: the station, its service
//! circle on the roads, the road network around it (from the same OpenStreetMap data the
//! plans are made on) and its clients. The circle and roads are computed once per station
//! and kept while the station stays the same.

use crate::app::AppState;
use crate::contract::geo::Feature;
use crate::error::AppError;
use crate::travel::TravelInfo;
use formats::scenario::{Scenario, Station};
use planner::coverage;
use planner::travel::{road_mode, to_wgs84};
use roads::{LonLat, RoadNetwork};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Roads this far beyond the circle's bounding box are drawn too (a share of its size).
const MARGIN: f64 = 0.15;

/// Station maps, by station id, with the station as it was when drawn.
#[derive(Default)]
pub struct MapCache(Mutex<HashMap<String, (Station, Arc<MapArea>)>>);

/// What is drawn around a station.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MapArea {
    /// `[west, south, east, north]`, WGS84 degrees.
    pub bbox: [f64; 4],
    /// The service circle on the roads (a polygon), none on a station's own matrix.
    pub circle: Option<Feature>,
    /// The roads inside the box (a multi-line).
    pub roads: Option<Feature>,
    pub attribution: &'static str,
    /// Where a station on its own matrix takes travel times from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travel: Option<TravelInfo>,
}

/// The station's circle and roads as GeoJSON features, and their bounding box.
pub async fn area(state: &AppState, station: &Station) -> Result<Arc<MapArea>, AppError> {
    let source = crate::travel::of_station(state, &station.id).await.ok();
    let Some(network) = source.as_ref().and_then(|s| s.roads()) else {
        // A station on its own matrix (or a service without roads): no circle or roads to
        // draw, only where the station and its clients are.
        let clients = state.store.clients_of(&station.id).await?;
        let mut map = plain(station, clients.iter().map(|c| to_wgs84(&c.location)));
        map.travel = source.map(|s| s.describe());
        return Ok(Arc::new(map));
    };
    let cached = state.maps.0.lock().ok().and_then(|m| m.get(&station.id).cloned());
    if let Some((drawn, map)) = cached {
        if drawn == *station {
            return Ok(map);
        }
    }
    let s = station.clone();
    let map = tokio::task::spawn_blocking(move || draw(&network, &s))
        .await
        .map_err(|e| AppError::Internal(format!("drawing the map stopped: {e}")))??;
    let map = Arc::new(map);
    if let Ok(mut m) = state.maps.0.lock() {
        m.insert(station.id.clone(), (station.clone(), map.clone()));
    }
    Ok(map)
}

/// The area of a station without roads: a box around the station and its clients.
fn plain(station: &Station, clients: impl Iterator<Item = LonLat>) -> MapArea {
    let home = to_wgs84(&station.location);
    let (mut w, mut s, mut e, mut n) = (home.lon, home.lat, home.lon, home.lat);
    for p in clients {
        (w, s, e, n) = (w.min(p.lon), s.min(p.lat), e.max(p.lon), n.max(p.lat));
    }
    let (dx, dy) = ((e - w) * MARGIN + 0.002, (n - s) * MARGIN + 0.002);
    MapArea {
        bbox: [w - dx, s - dy, e + dx, n + dy],
        circle: None,
        roads: None,
        attribution: "travel times from the station's own matrix; legs drawn straight",
        travel: None,
    }
}

fn draw(network: &RoadNetwork, station: &Station) -> Result<MapArea, AppError> {
    let alone = Scenario {
        name: station.id.clone(),
        stations: vec![station.clone()],
        ..Scenario::default()
    };
    let report = coverage::circles(&alone, network, None, None, 1, &mut |_| {})
        .map_err(|e| AppError::invalid("station", e.to_string()))?;
    let home = to_wgs84(&station.location);
    let polygon: Vec<LonLat> =
        report.circles.first().map(|c| c.polygon.clone()).unwrap_or_else(|| vec![home]);
    let (mut w, mut s, mut e, mut n) = (home.lon, home.lat, home.lon, home.lat);
    for p in &polygon {
        (w, s, e, n) = (w.min(p.lon), s.min(p.lat), e.max(p.lon), n.max(p.lat));
    }
    let (dx, dy) = ((e - w) * MARGIN + 0.002, (n - s) * MARGIN + 0.002);
    let (w, s, e, n) = (w - dx, s - dy, e + dx, n + dy);
    let inside = |p: &LonLat| (w..=e).contains(&p.lon) && (s..=n).contains(&p.lat);
    // Coordinates to 1e-5 degrees (about a metre): the map is for looking at.
    let round = |p: &LonLat| [(p.lon * 1e5).round() / 1e5, (p.lat * 1e5).round() / 1e5];
    let graph = network
        .graph(road_mode(station.circle.mode))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let lines: Vec<[[f64; 2]; 2]> = graph
        .segment_lines()
        .filter(|[a, b]| inside(a) || inside(b))
        .map(|[a, b]| [round(&a), round(&b)])
        .collect();
    let ring: Vec<[f64; 2]> = polygon.iter().map(round).collect();
    let mode = station.circle.mode;
    Ok(MapArea {
        bbox: [w, s, e, n],
        circle: Some(Feature::new(
            "Polygon",
            json!([ring]),
            json!({"mode": mode, "minutes": station.circle.minutes}),
        )),
        roads: Some(Feature::new("MultiLineString", json!(lines), json!({"mode": mode}))),
        attribution: "© OpenStreetMap contributors (ODbL)",
        travel: None,
    })
}
