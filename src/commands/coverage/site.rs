//! `coverage site`: where stations should go. Candidate sites are snapped on the road graph
//! of the circle's mode, each one's circle is computed against every client, and the siting
//! programs of `solver::siting` choose among them.

use anyhow::{Context, Result};
use roads::{LonLat, RoadGraph, RoadNetwork, Snap};
use serde::Serialize;
use solver::scenario::{Scenario, TravelMode};
use solver::siting::{self, Coverage, Siting};
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::generate::road_mode;
use crate::input;
use crate::output::{png, svg};
use crate::progress::Progress;
use dispatch_api::road_travel::to_wgs84;

pub struct Request<'a> {
    pub candidates: &'a str,
    pub auto_candidates: usize,
    pub k: usize,
    pub set_cover: bool,
    pub mode: TravelMode,
    pub minutes: u32,
}

#[derive(Serialize)]
struct Site {
    id: String,
    lon: f64,
    lat: f64,
    /// Clients inside this site's circle.
    clients_inside: usize,
}

#[derive(Serialize)]
struct Method {
    sites: Vec<String>,
    covered: usize,
    share_covered: f64,
    /// Proven optimality gap; absent for the heuristic.
    gap: Option<f64>,
    seconds: f64,
}

#[derive(Serialize)]
struct SiteReport {
    scenario: String,
    objective: &'static str,
    k: Option<usize>,
    mode: TravelMode,
    minutes: u32,
    clients: usize,
    candidates: usize,
    /// Clients no candidate's circle reaches.
    uncoverable: usize,
    /// Clients too far from any road of the mode.
    off_road: usize,
    chosen: Vec<Site>,
    milp: Method,
    greedy: Method,
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

pub fn run(
    scenario: &Scenario,
    network: &RoadNetwork,
    req: &Request,
    out: &Path,
    progress: &Progress,
) -> Result<ExitCode> {
    let graph = network.graph(road_mode(req.mode))?;
    let sites: Vec<(String, LonLat)> = if req.candidates == "auto" {
        auto_candidates(scenario, graph, req.auto_candidates.max(1))
    } else {
        input::read_points(Path::new(req.candidates))?
    };
    let mut names = Vec::new();
    let mut snaps: Vec<Snap> = Vec::new();
    for (id, p) in &sites {
        let snap = graph
            .snap(*p, roads::DEFAULT_SNAP_LIMIT_M)
            .with_context(|| format!("--candidates: site {id:?}"))?;
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
    let started = Instant::now();
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
    progress.say(format!(
        "{} candidate circles against {} clients in {:.2}s",
        snaps.len(),
        scenario.clients.len(),
        started.elapsed().as_secs_f64()
    ));
    let coverage = Coverage { candidates: snaps.len(), covering };
    let timed = |f: &dyn Fn() -> Result<Siting, siting::SitingError>| -> Result<(Siting, f64)> {
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
    print_report(&report);
    write_outputs(scenario, graph, &report, &snaps, &coverage, &milp, out)?;
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &SiteReport) {
    let what = match r.k {
        Some(k) => format!("{k} sites covering the most clients"),
        None => "the fewest sites covering every client".into(),
    };
    println!("siting for {}: {what} ({}-minute {} circles)", r.scenario, r.minutes, r.mode);
    println!(
        "  {} clients, {} candidate sites; {} clients outside every candidate's circle, {} off-road",
        r.clients, r.candidates, r.uncoverable, r.off_road
    );
    println!("  {:<14} {:>6} {:>9} {:>8} {:>9}", "method", "sites", "covered", "share", "seconds");
    for (name, m) in [("MILP (optimal)", &r.milp), ("greedy", &r.greedy)] {
        println!(
            "  {:<14} {:>6} {:>9} {:>7.1}% {:>9.3}",
            name,
            m.sites.len(),
            m.covered,
            100.0 * m.share_covered,
            m.seconds
        );
    }
    if let Some(gap) = r.milp.gap {
        println!("  optimality gap of the MILP: {:.2} % (proven)", 100.0 * gap);
    }
    println!("  chosen sites:");
    for s in &r.chosen {
        println!("    {:<12} {:.5},{:.5}  {} clients inside", s.id, s.lon, s.lat, s.clients_inside);
    }
}

fn write_outputs(
    scenario: &Scenario,
    graph: &RoadGraph,
    r: &SiteReport,
    snaps: &[Snap],
    coverage: &Coverage,
    milp: &Siting,
    out: &Path,
) -> Result<()> {
    let json_path = out.join("site.json");
    input::write_json(&json_path, r)?;
    let budget = i64::from(r.minutes) * 60;
    let rings: Vec<Vec<LonLat>> = milp
        .chosen
        .iter()
        .map(|&j| {
            let poly = graph.isochrone(&snaps[j as usize], budget);
            poly.exterior().points().map(|p| LonLat { lon: p.x(), lat: p.y() }).collect()
        })
        .collect();
    let mut features = Vec::new();
    for (site, ring) in r.chosen.iter().zip(&rings) {
        let coords: Vec<[f64; 2]> = ring.iter().map(|p| [p.lon, p.lat]).collect();
        features.push(serde_json::json!({"type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [coords]},
            "properties": {"kind": "circle", "site": site.id, "minutes": r.minutes}}));
        features.push(serde_json::json!({"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
            "properties": {"kind": "site", "site": site.id, "clients_inside": site.clients_inside}}));
    }
    let geo_path = out.join("site.geojson");
    input::write_json(
        &geo_path,
        &serde_json::json!({"type": "FeatureCollection",
            "attribution": "© OpenStreetMap contributors (ODbL)", "features": features}),
    )?;
    let roads: Vec<[LonLat; 2]> = graph.segment_lines().collect();
    let mut shapes: Vec<svg::Shape> = roads.iter().map(|seg| svg::Shape::Road(seg)).collect();
    for ring in &rings {
        shapes.push(svg::Shape::Area { ring, color: "#2b6cb0" });
    }
    // Covered clients in green, the others as red crosses, as on the coverage map.
    let open: HashSet<u32> = milp.chosen.iter().copied().collect();
    let clients: Vec<(LonLat, bool)> = scenario
        .clients
        .iter()
        .zip(&coverage.covering)
        .map(|(c, sites)| (to_wgs84(&c.location), sites.iter().any(|j| open.contains(j))))
        .collect();
    for (at, covered) in &clients {
        shapes.push(match covered {
            true => svg::Shape::Stop { at: *at, color: "#2f855a" },
            false => svg::Shape::Unassigned { at: *at, label: "outside every chosen circle" },
        });
    }
    for s in &r.chosen {
        shapes.push(svg::Shape::Station { at: LonLat { lon: s.lon, lat: s.lat }, label: &s.id });
    }
    let title = format!(
        "{}: {} sites put {} of {} clients inside a {}-minute {} circle",
        r.scenario,
        r.chosen.len(),
        r.milp.covered,
        r.clients,
        r.minutes,
        r.mode
    );
    let svg_path = out.join("site.svg");
    let map = svg::render(&title, &shapes, 1200.0);
    input::write_text(&svg_path, &map)?;
    let png_path = out.join("site.png");
    png::write_png(&map, &png_path)?;
    for p in [&json_path, &geo_path, &svg_path, &png_path] {
        println!("  wrote {}", p.display());
    }
    Ok(())
}
