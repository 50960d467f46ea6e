//! Service-circle coverage: how far each station's circle reaches on real roads, who is
//! inside at least one, who is outside every one (and how far from the nearest station),
//! and where circles overlap.

use crate::travel::{road_mode, to_wgs84};
use crate::PlannerError;
use formats::scenario::{Scenario, TravelMode};
use roads::{LonLat, RoadGraph, RoadNetwork, Snap};
use serde::Serialize;

/// One station's circle.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CircleReport {
    pub station: String,
    pub mode: TravelMode,
    pub minutes: u32,
    pub clients_inside: usize,
    /// Clients of this station (by the scenario) that are inside its circle.
    pub own_clients_inside: usize,
    pub own_clients: usize,
    #[serde(skip)]
    pub polygon: Vec<LonLat>,
}

/// One client outside every circle.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Outside {
    pub client: String,
    pub nearest_station: Option<String>,
    /// Seconds to the nearest station by that station's circle mode; `None` if unreachable.
    pub travel_time: Option<i64>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CoverageReport {
    pub scenario: String,
    pub clients: usize,
    pub covered: usize,
    pub share_covered: f64,
    pub circles: Vec<CircleReport>,
    pub outside: Vec<Outside>,
    /// Clients inside two or more circles.
    pub in_several_circles: usize,
    /// Pairs of stations and the clients inside both circles.
    pub overlaps: Vec<(String, String, usize)>,
    /// Clients farther than the snap limit from any road of a circle's mode.
    pub off_road: Vec<String>,
}

/// One station's circle on the roads: each client's travel time from the station (`None`:
/// off this mode's roads, or out of reach in a day) and the circle's outline.
struct StationReach {
    mode: TravelMode,
    minutes: u32,
    times: Vec<Option<i64>>,
    off_road: Vec<bool>,
    polygon: Vec<LonLat>,
}

fn station_reach(
    s: &Scenario,
    k: usize,
    network: &RoadNetwork,
    mode: Option<TravelMode>,
    minutes: Option<u32>,
) -> Result<StationReach, PlannerError> {
    let station = &s.stations[k];
    let n = s.clients.len();
    let mode = mode.unwrap_or(station.circle.mode);
    let minutes = minutes.unwrap_or(station.circle.minutes);
    let graph: &RoadGraph = network.graph(road_mode(mode))?;
    let centre =
        graph.snap(to_wgs84(&station.location), roads::DEFAULT_SNAP_LIMIT_M).map_err(|e| {
            PlannerError::Invalid {
                field: format!("stations[{k}].location"),
                reason: format!("station {} is off the {mode} road network: {e}", station.id),
            }
        })?;
    let mut snaps: Vec<Snap> = Vec::with_capacity(n);
    let mut index: Vec<usize> = Vec::with_capacity(n);
    let mut off_road = vec![false; n];
    for (c, client) in s.clients.iter().enumerate() {
        match graph.snap(to_wgs84(&client.location), roads::DEFAULT_SNAP_LIMIT_M) {
            Ok(snap) => {
                snaps.push(snap);
                index.push(c);
            }
            Err(_) => off_road[c] = true,
        }
    }
    // A day's travel bounds every useful time to the nearest station.
    let mut times = vec![None; n];
    for (&c, t) in index.iter().zip(graph.within(&centre, 86_400, &snaps)) {
        times[c] = t;
    }
    let polygon = graph
        .isochrone(&centre, i64::from(minutes) * 60)
        .exterior()
        .points()
        .map(|p| LonLat { lon: p.x(), lat: p.y() })
        .collect();
    Ok(StationReach { mode, minutes, times, off_road, polygon })
}

/// Each station's service circle (by `mode` and `minutes`, or the station's own) against
/// every client of the scenario, `threads` stations at once; `on_station` hears each circle,
/// in station order.
pub fn circles(
    s: &Scenario,
    network: &RoadNetwork,
    mode: Option<TravelMode>,
    minutes: Option<u32>,
    threads: usize,
    on_station: &mut dyn FnMut(&CircleReport),
) -> Result<CoverageReport, PlannerError> {
    let n = s.clients.len();
    let stations: Vec<usize> = (0..s.stations.len()).collect();
    let reach = crate::parallel::in_parallel(&stations, threads, |&k| {
        station_reach(s, k, network, mode, minutes)
    });
    // inside[c] = stations whose circle holds client c; nearest[c] = (station, seconds).
    let mut inside: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut nearest: Vec<Option<(usize, i64)>> = vec![None; n];
    let mut off_road = vec![false; n];
    let mut circles = Vec::new();
    for (k, reach) in reach.into_iter().enumerate() {
        let StationReach { mode, minutes, times, off_road: off, polygon } = reach?;
        let station = &s.stations[k];
        let budget = i64::from(minutes) * 60;
        let (mut inside_count, mut own_inside) = (0, 0);
        for (c, t) in times.into_iter().enumerate() {
            off_road[c] |= off[c];
            let Some(t) = t else { continue };
            if nearest[c].is_none_or(|(_, best)| t < best) {
                nearest[c] = Some((k, t));
            }
            if t <= budget {
                inside[c].push(k);
                inside_count += 1;
                if s.clients[c].station == station.id {
                    own_inside += 1;
                }
            }
        }
        let circle = CircleReport {
            station: station.id.clone(),
            mode,
            minutes,
            clients_inside: inside_count,
            own_clients_inside: own_inside,
            own_clients: s.clients.iter().filter(|c| c.station == station.id).count(),
            polygon,
        };
        on_station(&circle);
        circles.push(circle);
    }
    let covered = inside.iter().filter(|v| !v.is_empty()).count();
    let mut overlaps = Vec::new();
    for a in 0..s.stations.len() {
        for b in a + 1..s.stations.len() {
            let both = inside.iter().filter(|v| v.contains(&a) && v.contains(&b)).count();
            if both > 0 {
                overlaps.push((s.stations[a].id.clone(), s.stations[b].id.clone(), both));
            }
        }
    }
    let outside = (0..n)
        .filter(|&c| inside[c].is_empty())
        .map(|c| Outside {
            client: s.clients[c].id.clone(),
            nearest_station: nearest[c].map(|(k, _)| s.stations[k].id.clone()),
            travel_time: nearest[c].map(|(_, t)| t),
        })
        .collect();
    Ok(CoverageReport {
        scenario: s.name.clone(),
        clients: n,
        covered,
        share_covered: if n == 0 { 1.0 } else { covered as f64 / n as f64 },
        circles,
        outside,
        in_several_circles: inside.iter().filter(|v| v.len() > 1).count(),
        overlaps,
        off_road: (0..n).filter(|&c| off_road[c]).map(|c| s.clients[c].id.clone()).collect(),
    })
}
