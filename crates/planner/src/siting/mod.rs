//! Station siting on real roads: each candidate site's service circle is computed against
//! every client, and the programs of [`milp`] choose among the candidates (maximal
//! covering or set cover, with a greedy heuristic beside them).

use crate::travel::{road_mode, to_wgs84};
use crate::PlannerError;
use formats::scenario::{Scenario, TravelMode};
use roads::{LonLat, RoadGraph, RoadNetwork, Snap};
use serde::Serialize;
pub mod milp;

use milp::{Coverage, PMedian, Siting, SitingError, TravelRows};
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

/// What the chosen sites should achieve.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// `k` sites putting the most clients inside a circle.
    MaxCover,
    /// The fewest sites putting every coverable client inside a circle.
    SetCover,
    /// `k` sites minimising the clients' total travel time to the nearest one.
    PMedian,
}

impl Objective {
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::MaxCover => "max-cover",
            Objective::SetCover => "set-cover",
            Objective::PMedian => "p-median",
        }
    }
}

/// A siting question.
#[derive(Clone, Debug)]
pub struct SiteRequest {
    pub candidates: Candidates,
    /// Sites to open (maximal covering, p-median).
    pub k: usize,
    pub objective: Objective,
    pub mode: TravelMode,
    /// The service circle's size: coverage is judged by it.
    pub minutes: u32,
    /// p-median: candidates kept per client in the program (farther ones are bounded).
    pub nearest: usize,
}

/// The answer, with what a map of it needs.
pub struct SiteOutcome {
    pub report: SiteReport,
    /// Every candidate, snapped on the mode's graph.
    pub snaps: Vec<Snap>,
    pub coverage: Coverage,
    /// The program's choice (candidate indices).
    pub chosen: Vec<u32>,
}

/// One method's choice, before it is described.
struct Pick {
    chosen: Vec<u32>,
    gap: Option<f64>,
    seconds: f64,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Site {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    /// Clients inside this site's circle.
    pub clients_inside: usize,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Method {
    pub sites: Vec<String>,
    pub covered: usize,
    pub share_covered: f64,
    /// Proven optimality gap; absent for the heuristic.
    pub gap: Option<f64>,
    /// Mean travel time of the reachable clients to their nearest chosen site (p-median).
    pub mean_travel_seconds: Option<f64>,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
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
/// node per grid cell, the cell size bisected so that as many as fit in `wanted` remain.
fn auto_candidates(scenario: &Scenario, graph: &RoadGraph, wanted: usize) -> Vec<(String, LonLat)> {
    let mut out: Vec<(String, LonLat)> =
        scenario.stations.iter().map(|s| (s.id.clone(), to_wgs84(&s.location))).collect();
    let nodes: Vec<LonLat> = graph.segment_lines().map(|[a, _]| a).collect();
    let room = wanted.saturating_sub(out.len());
    let one_per_cell = |cell_deg: f64| -> Vec<LonLat> {
        let mut seen = HashSet::new();
        nodes
            .iter()
            .filter(|p| {
                seen.insert(((p.lon / cell_deg).floor() as i64, (p.lat / cell_deg).floor() as i64))
            })
            .copied()
            .collect()
    };
    // Fewer cells as they grow; a 10-degree cell holds any extract's city in a handful.
    let (mut fine, mut coarse) = (1e-4, 10.0);
    let mut best = one_per_cell(coarse);
    if best.len() <= room {
        for _ in 0..40 {
            let mid = (fine * coarse).sqrt();
            let picked = one_per_cell(mid);
            if picked.len() <= room {
                coarse = mid;
                best = picked;
            } else {
                fine = mid;
            }
            if best.len() == room {
                break;
            }
        }
    } else {
        best.truncate(room);
    }
    out.extend(best.into_iter().enumerate().map(|(i, p)| (format!("site-{}", i + 1), p)));
    out
}

fn method(
    names: &[String],
    coverage: &Coverage,
    travel: &TravelRows,
    p: &Pick,
    mean: bool,
) -> Method {
    let n = coverage.covering.len();
    let covered = coverage.covered_by(&p.chosen);
    let (total, unreachable) = travel.cost_of(&p.chosen);
    let reached = n - unreachable;
    Method {
        sites: p.chosen.iter().map(|&j| names[j as usize].clone()).collect(),
        covered,
        share_covered: if n == 0 { 1.0 } else { covered as f64 / n as f64 },
        gap: p.gap,
        mean_travel_seconds: (mean && reached > 0).then(|| total as f64 / reached as f64),
        seconds: p.seconds,
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
    // p-median needs every travel time; the covering programs only those inside the circle.
    let horizon = if req.objective == Objective::PMedian { 86_400 } else { budget };
    let n = scenario.clients.len();
    let mut covering: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut rows: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n];
    let mut inside_count = vec![0usize; snaps.len()];
    for (j, site) in snaps.iter().enumerate() {
        for (&i, t) in client_index.iter().zip(graph.within(site, horizon, &client_snaps)) {
            let Some(t) = t else { continue };
            rows[i].push((j as u32, t));
            if t <= budget {
                covering[i].push(j as u32);
                inside_count[j] += 1;
            }
        }
    }
    let coverage = Coverage { candidates: snaps.len(), covering };
    let travel = TravelRows { candidates: snaps.len(), rows };
    let timed = |f: &dyn Fn() -> Result<(Vec<u32>, Option<f64>), SitingError>| -> Result<Pick, PlannerError> {
        let t = Instant::now();
        let (chosen, gap) = f()?;
        Ok(Pick { chosen, gap, seconds: t.elapsed().as_secs_f64() })
    };
    let siting = |s: Siting| (s.chosen, s.gap);
    let median = |m: PMedian| (m.chosen, m.gap);
    let (milp, greedy) = match req.objective {
        Objective::MaxCover => (
            timed(&|| milp::max_cover(&coverage, req.k).map(siting))?,
            timed(&|| milp::greedy_max_cover(&coverage, req.k).map(siting))?,
        ),
        Objective::SetCover => (
            timed(&|| milp::set_cover(&coverage).map(siting))?,
            timed(&|| milp::greedy_set_cover(&coverage).map(siting))?,
        ),
        Objective::PMedian => (
            timed(&|| milp::p_median(&travel, req.k, req.nearest).map(median))?,
            timed(&|| milp::greedy_p_median(&travel, req.k).map(median))?,
        ),
    };
    let mean = req.objective == Objective::PMedian;
    let report = SiteReport {
        scenario: scenario.name.clone(),
        objective: req.objective.as_str(),
        k: (req.objective != Objective::SetCover).then_some(req.k),
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
        milp: method(&names, &coverage, &travel, &milp, mean),
        greedy: method(&names, &coverage, &travel, &greedy, mean),
    };
    Ok(SiteOutcome { report, snaps, coverage, chosen: milp.chosen })
}
