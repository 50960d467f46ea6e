//! `coverage site`: where stations should go. Candidate sites are snapped on the road graph
//! of the circle's mode, each one's circle is computed against every client, and the siting
//! programs of `planner::siting::milp` choose among them.

use anyhow::Result;
use formats::scenario::{Scenario, TravelMode};
use planner::siting::milp::Coverage;
use planner::siting::{self, Candidates, Objective, SiteReport, SiteRequest};
use planner::travel::road_mode;
use roads::{LonLat, RoadGraph, RoadNetwork, Snap};
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::input;
use crate::output::{png, svg};
use crate::progress::Progress;
use planner::travel::to_wgs84;

pub struct Request<'a> {
    pub candidates: &'a str,
    pub auto_candidates: usize,
    pub k: usize,
    pub objective: Objective,
    pub mode: TravelMode,
    pub minutes: u32,
    pub nearest: usize,
}

pub fn run(
    scenario: &Scenario,
    network: &RoadNetwork,
    req: &Request,
    out: &Path,
    progress: &Progress,
) -> Result<ExitCode> {
    let candidates = if req.candidates == "auto" {
        Candidates::Auto { count: req.auto_candidates }
    } else {
        Candidates::Given(input::read_points(Path::new(req.candidates))?)
    };
    let started = Instant::now();
    let request = SiteRequest {
        candidates,
        k: req.k,
        objective: req.objective,
        mode: req.mode,
        minutes: req.minutes,
        nearest: req.nearest,
    };
    let outcome = siting::site(scenario, network, &request)?;
    progress.say(format!(
        "{} candidate sites against {} clients in {:.2}s",
        outcome.report.candidates,
        outcome.report.clients,
        started.elapsed().as_secs_f64()
    ));
    let graph = network.graph(road_mode(req.mode))?;
    print_report(&outcome.report);
    write_outputs(
        scenario,
        graph,
        &outcome.report,
        &outcome.snaps,
        &outcome.coverage,
        &outcome.chosen,
        out,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &SiteReport) {
    let what = match (r.objective, r.k) {
        ("p-median", Some(k)) => format!("{k} sites nearest on average to the clients"),
        (_, Some(k)) => format!("{k} sites covering the most clients"),
        _ => "the fewest sites covering every client".into(),
    };
    println!("siting for {}: {what} ({}-minute {} circles)", r.scenario, r.minutes, r.mode);
    println!(
        "  {} clients, {} candidate sites; {} clients outside every candidate's circle, {} off-road",
        r.clients, r.candidates, r.uncoverable, r.off_road
    );
    println!(
        "  {:<8} {:>6} {:>9} {:>8} {:>13} {:>9}",
        "method", "sites", "covered", "share", "mean travel", "seconds"
    );
    for (name, m) in [("MILP", &r.milp), ("greedy", &r.greedy)] {
        let mean =
            m.mean_travel_seconds.map(|s| format!("{:.1} min", s / 60.0)).unwrap_or("-".into());
        println!(
            "  {:<8} {:>6} {:>9} {:>7.1}% {:>13} {:>9.3}",
            name,
            m.sites.len(),
            m.covered,
            100.0 * m.share_covered,
            mean,
            m.seconds
        );
    }
    if let Some(gap) = r.milp.gap {
        println!("  proven optimality gap of the MILP: {:.2} %", 100.0 * gap);
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
    chosen: &[u32],
    out: &Path,
) -> Result<()> {
    let json_path = out.join("site.json");
    input::write_json(&json_path, r)?;
    let budget = i64::from(r.minutes) * 60;
    let rings: Vec<Vec<LonLat>> = chosen
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
    let open: HashSet<u32> = chosen.iter().copied().collect();
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
