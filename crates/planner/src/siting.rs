//! Station siting on real roads: each candidate site's service circle is computed against
//! every client, and the programs of `solver::siting` choose among the candidates (maximal
//! covering or set cover, with a greedy heuristic beside them).

use crate::road_travel::{road_mode, to_wgs84};
use crate::PlannerError;
use roads::{LonLat, RoadGraph, RoadNetwork, Snap};
use serde::Serialize;
use solver::scenario::{Scenario, TravelMode};
use solver::siting::{self, Coverage, Siting, SitingError};
use std::collections::HashSet;
use std::time::Instant;

/// Where the candidate sites come from.
#[derive(Clone, Debug)]
pub enum Candidates {
    /// The scenario's stations, then road nodes spread over the network, `count` in all.
    Auto { count: usize },
    /// Named sites (WGS84).
    Given(Vec<(String, LonLat)>),
}

/// A siting question.
#[derive(Clone, Debug)]
pub struct SiteRequest {
    pub candidates: Candidates,
    /// Sites to open (maximal covering).
    pub k: usize,
    /// The fewest sites covering every coverable client instead.
    pub set_cover: bool,
    pub mode: TravelMode,
    pub minutes: u32,
}

/// The answer, with what a map of it needs.
pub struct SiteOutcome {
    pub report: SiteReport,
    /// Every candidate, snapped on the mode's graph.
    pub snaps: Vec<Snap>,
    pub coverage: Coverage,
    pub milp: Siting,
}

#[derive(Clone, Debug, Serialize)]
pub struct Site {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    /// Clients inside this site's circle.
    pub clients_inside: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Method {
    pub sites: Vec<String>,
    pub covered: usize,
    pub share_covered: f64,
    /// Proven optimality gap; absent for the heuristic.
    pub gap: Option<f64>,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteReport {
    pub scenario: String,
    pub objective: &'static str,
    pub k: Option<usize>,
    pub mode: TravelMode,
    pub minutes: u32,
    pub clients: usize,
    pub candidates: usize,
    /// Clients no candidate's circle reaches.
    pub uncoverable: usize,
    /// Clients too far from any road of the mode.
    pub off_road: usize,
    pub chosen: Vec<Site>,
    pub milp: Method,
    pub greedy: Method,
}

/// Candidates spread over the road network: the scenario's stations first, then one road
/// node per grid cell, the cell grown until at most `wanted` remain.
fn auto_candidates(scenario: &Scenario, graph: &RoadGraph, wanted: usize) -> Vec<(String, LonLat)> {
    let mut out: Vec<(String, LonLat)> =
        scenario.stations.iter().map(|s| (s.id.clone(), to_wgs84(&s.location))).collect();
    let nodes: Vec<LonLat> = graph.segment_lines().map(|[a, _]| a).collect();
    let room = wanted.saturating_sub(out.len());
    let mut cell_deg = 0.002;
    loop {
        let mut seen = HashSet::new();
        let picked: Vec<LonLat> = nodes
            .iter()
            .filter(|p| {
                seen.insert(((p.lon / cell_deg).floor() as i64, (p.lat / cell_deg).floor() as i64))
            })
            .copied()
            .collect();
        if picked.len() <= room {
            out.extend(picked.into_iter().enumerate().map(|(i, p)| (format!("site-{}", i + 1), p)));
            return out;
        }
        cell_deg *= 1.25;
    }
}

fn method(scenario_clients: usize, names: &[String], s: &Siting, seconds: f64) -> Method {
    Method {
        sites: s.chosen.iter().map(|&j| names[j as usize].clone()).collect(),
        covered: s.covered,
        share_covered: if scenario_clients == 0 {
            1.0
        } else {
            s.covered as f64 / scenario_clients as f64
        },
        gap: s.gap,
        seconds,
    }
}

/// Chooses station sites for `scenario`'s clients among the request's candidates.
pub fn site(
    scenario: &Scenario,
    network: &RoadNetwork,
    req: &SiteRequest,
) -> Result<SiteOutcome, PlannerError> {
    if req.minutes == 0 || req.minutes > 180 {
        return Err(PlannerError::Invalid {
            field: "minutes".into(),
            reason: format!("{} is not between 1 and 180", req.minutes),
        });
    }
    let graph = network.graph(road_mode(req.mode))?;
    let sites: Vec<(String, LonLat)> = match &req.candidates {
        Candidates::Auto { count } => auto_candidates(scenario, graph, (*count).max(1)),
        Candidates::Given(sites) => sites.clone(),
    };
    let mut names = Vec::new();
    let mut snaps: Vec<Snap> = Vec::new();
    for (id, p) in &sites {
        let snap =
            graph.snap(*p, roads::DEFAULT_SNAP_LIMIT_M).map_err(|e| PlannerError::Invalid {
                field: "candidates".into(),
                reason: format!("site {id:?}: {e}"),
            })?;
        names.push(id.clone());
        snaps.push(snap);
    }
    let mut client_snaps = Vec::new();
    let mut client_index = Vec::new();
    for (i, c) in scenario.clients.iter().enumerate() {
        if let Ok(s) = graph.snap(to_wgs84(&c.location), roads::DEFAULT_SNAP_LIMIT_M) {
            client_snaps.push(s);
            client_index.push(i);
        }
    }
    let budget = i64::from(req.minutes) * 60;
    let mut covering: Vec<Vec<u32>> = vec![Vec::new(); scenario.clients.len()];
    let mut inside_count = vec![0usize; snaps.len()];
    for (j, site) in snaps.iter().enumerate() {
        for (&i, t) in client_index.iter().zip(graph.within(site, budget, &client_snaps)) {
            if t.is_some() {
                covering[i].push(j as u32);
                inside_count[j] += 1;
            }
        }
    }
    let coverage = Coverage { candidates: snaps.len(), covering };
    let timed =
        |f: &dyn Fn() -> Result<Siting, SitingError>| -> Result<(Siting, f64), PlannerError> {
            let t = Instant::now();
            let s = f()?;
            Ok((s, t.elapsed().as_secs_f64()))
        };
    let (milp, milp_s) = if req.set_cover {
        timed(&|| siting::set_cover(&coverage))?
    } else {
        timed(&|| siting::max_cover(&coverage, req.k))?
    };
    let (greedy, greedy_s) = if req.set_cover {
        timed(&|| siting::greedy_set_cover(&coverage))?
    } else {
        timed(&|| siting::greedy_max_cover(&coverage, req.k))?
    };
    let n = scenario.clients.len();
    let report = SiteReport {
        scenario: scenario.name.clone(),
        objective: if req.set_cover { "set-cover" } else { "max-cover" },
        k: (!req.set_cover).then_some(req.k),
        mode: req.mode,
        minutes: req.minutes,
        clients: n,
        candidates: snaps.len(),
        uncoverable: coverage.uncoverable(),
        off_road: n - client_index.len(),
        chosen: milp
            .chosen
            .iter()
            .map(|&j| Site {
                id: names[j as usize].clone(),
                lon: snaps[j as usize].snapped.lon,
                lat: snaps[j as usize].snapped.lat,
                clients_inside: inside_count[j as usize],
            })
            .collect(),
        milp: method(n, &names, &milp, milp_s),
        greedy: method(n, &names, &greedy, greedy_s),
    };
    Ok(SiteOutcome { report, snaps, coverage, milp })
}
