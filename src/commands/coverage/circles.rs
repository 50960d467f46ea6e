//! `coverage circles`: how far each station's service circle reaches on real roads, and
//! which clients fall outside every circle.

use anyhow::{Context, Result};
use roads::{LonLat, Mode, RoadGraph, Snap};
use serde::Serialize;
use solver::scenario::{Scenario, TravelMode};
use std::path::Path;
use std::process::ExitCode;

use crate::generate::road_mode;
use crate::input;
use crate::output::{png, svg};
use crate::progress::Progress;
use dispatch_api::road_travel::to_wgs84;

/// One station's circle.
#[derive(Serialize)]
struct CircleReport {
    station: String,
    mode: TravelMode,
    minutes: u32,
    clients_inside: usize,
    /// Clients of this station (by the scenario) that are inside its circle.
    own_clients_inside: usize,
    own_clients: usize,
    #[serde(skip)]
    polygon: Vec<LonLat>,
}

/// One client outside every circle.
#[derive(Serialize)]
struct Outside {
    client: String,
    nearest_station: Option<String>,
    /// Seconds to the nearest station by that station's circle mode; `None` if unreachable.
    travel_time: Option<i64>,
}

#[derive(Serialize)]
struct CoverageReport {
    scenario: String,
    clients: usize,
    covered: usize,
    share_covered: f64,
    circles: Vec<CircleReport>,
    outside: Vec<Outside>,
    /// Clients inside two or more circles.
    in_several_circles: usize,
    /// Pairs of stations and the clients inside both circles.
    overlaps: Vec<(String, String, usize)>,
    /// Clients farther than the snap limit from any road of a circle's mode.
    off_road: Vec<String>,
}

/// `coverage circles`: see [`super::CoverageCommand::Circles`].
pub fn run(
    scenario: &Scenario,
    network: &roads::RoadNetwork,
    mode: Option<TravelMode>,
    minutes: Option<u32>,
    out: &Path,
    progress: &Progress,
) -> Result<ExitCode> {
    let report = coverage(scenario, network, mode, minutes, progress)?;
    print_report(&report);
    write_outputs(scenario, network, &report, out, progress)?;
    Ok(ExitCode::SUCCESS)
}

fn coverage(
    s: &Scenario,
    network: &roads::RoadNetwork,
    mode: Option<TravelMode>,
    minutes: Option<u32>,
    progress: &Progress,
) -> Result<CoverageReport> {
    let n = s.clients.len();
    // inside[c] = stations whose circle holds client c; nearest[c] = (station, seconds).
    let mut inside: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut nearest: Vec<Option<(usize, i64)>> = vec![None; n];
    let mut off_road = vec![false; n];
    let mut circles = Vec::new();
    for (k, station) in s.stations.iter().enumerate() {
        let mode = mode.unwrap_or(station.circle.mode);
        let minutes = minutes.unwrap_or(station.circle.minutes);
        let graph: &RoadGraph = network.graph(road_mode(mode))?;
        let centre = graph
            .snap(to_wgs84(&station.location), roads::DEFAULT_SNAP_LIMIT_M)
            .with_context(|| format!("stations[{k}] ({})", station.id))?;
        let mut snaps: Vec<Snap> = Vec::with_capacity(n);
        let mut index: Vec<usize> = Vec::with_capacity(n);
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
        let times = graph.within(&centre, 86_400, &snaps);
        let budget = i64::from(minutes) * 60;
        let (mut inside_count, mut own_inside) = (0, 0);
        for (&c, t) in index.iter().zip(times) {
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
        let polygon = graph.isochrone(&centre, budget);
        progress.say(format!(
            "station {}: {inside_count} clients inside its {minutes}-minute {mode} circle",
            station.id
        ));
        circles.push(CircleReport {
            station: station.id.clone(),
            mode,
            minutes,
            clients_inside: inside_count,
            own_clients_inside: own_inside,
            own_clients: s.clients.iter().filter(|c| c.station == station.id).count(),
            polygon: polygon
                .exterior()
                .points()
                .map(|p| LonLat { lon: p.x(), lat: p.y() })
                .collect(),
        });
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

fn print_report(r: &CoverageReport) {
    println!("coverage of {}", r.scenario);
    println!(
        "  {:<8} {:>6} {:>8} {:>8} {:>12}",
        "station", "mode", "minutes", "inside", "own inside"
    );
    for c in &r.circles {
        println!(
            "  {:<8} {:>6} {:>8} {:>8} {:>7} of {:<4}",
            c.station,
            c.mode.as_str(),
            c.minutes,
            c.clients_inside,
            c.own_clients_inside,
            c.own_clients
        );
    }
    println!(
        "  clients inside at least one circle: {} of {} ({:.1} %)",
        r.covered,
        r.clients,
        100.0 * r.share_covered
    );
    println!("  clients inside two or more circles: {}", r.in_several_circles);
    for (a, b, k) in &r.overlaps {
        println!("  overlap {a} & {b}: {k} clients");
    }
    if !r.outside.is_empty() {
        println!("  outside every circle (nearest station, travel time):");
        for o in r.outside.iter().take(20) {
            let t = o
                .travel_time
                .map(|t| format!("{:.1} min", t as f64 / 60.0))
                .unwrap_or_else(|| "unreachable".into());
            println!("    {:<10} {:<8} {t}", o.client, o.nearest_station.as_deref().unwrap_or("-"));
        }
        if r.outside.len() > 20 {
            println!("    ... and {} more (see coverage.json)", r.outside.len() - 20);
        }
    }
    if !r.off_road.is_empty() {
        println!("  clients too far from any road: {}", r.off_road.join(", "));
    }
}

fn write_outputs(
    s: &Scenario,
    network: &roads::RoadNetwork,
    r: &CoverageReport,
    out: &Path,
    progress: &Progress,
) -> Result<()> {
    let json_path = out.join("coverage.json");
    input::write_json(&json_path, r)?;
    let outside: std::collections::HashSet<&str> =
        r.outside.iter().map(|o| o.client.as_str()).collect();
    let mut features = Vec::new();
    for c in &r.circles {
        let ring: Vec<[f64; 2]> = c.polygon.iter().map(|p| [p.lon, p.lat]).collect();
        features.push(serde_json::json!({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"kind": "circle", "station": c.station, "mode": c.mode, "minutes": c.minutes,
                           "clients_inside": c.clients_inside}
        }));
    }
    for client in &s.clients {
        let p = to_wgs84(&client.location);
        features.push(serde_json::json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {"kind": "client", "client": client.id, "station": client.station,
                           "covered": !outside.contains(client.id.as_str())}
        }));
    }
    for station in &s.stations {
        let p = to_wgs84(&station.location);
        features.push(serde_json::json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {"kind": "station", "station": station.id, "name": station.name}
        }));
    }
    let geo_path = out.join("coverage.geojson");
    input::write_json(
        &geo_path,
        &serde_json::json!({"type": "FeatureCollection",
            "attribution": "© OpenStreetMap contributors (ODbL)", "features": features}),
    )?;

    let roads: Vec<[LonLat; 2]> =
        network.graph(Mode::Car).map(|g| g.segment_lines().collect()).unwrap_or_default();
    let mut shapes: Vec<svg::Shape> = roads.iter().map(|seg| svg::Shape::Road(seg)).collect();
    for c in &r.circles {
        shapes.push(svg::Shape::Area { ring: &c.polygon, color: "#2b6cb0" });
    }
    let points: Vec<(LonLat, bool)> = s
        .clients
        .iter()
        .map(|c| (to_wgs84(&c.location), !outside.contains(c.id.as_str())))
        .collect();
    for (at, covered) in &points {
        if *covered {
            shapes.push(svg::Shape::Stop { at: *at, color: "#2f855a" });
        }
    }
    let outside_points: Vec<(LonLat, &str)> = s
        .clients
        .iter()
        .filter(|c| outside.contains(c.id.as_str()))
        .map(|c| (to_wgs84(&c.location), c.id.as_str()))
        .collect();
    for (at, id) in &outside_points {
        shapes.push(svg::Shape::Unassigned { at: *at, label: id });
    }
    let stations: Vec<(LonLat, &str)> =
        s.stations.iter().map(|st| (to_wgs84(&st.location), st.id.as_str())).collect();
    for (at, id) in &stations {
        shapes.push(svg::Shape::Station { at: *at, label: id });
    }
    let title = format!(
        "{}: {} of {} clients ({:.1} %) inside a service circle",
        r.scenario,
        r.covered,
        r.clients,
        100.0 * r.share_covered
    );
    let svg_path = out.join("coverage.svg");
    let map = svg::render(&title, &shapes, 1200.0);
    input::write_text(&svg_path, &map)?;
    let png_path = out.join("coverage.png");
    png::write_png(&map, &png_path)?;
    for p in [&json_path, &geo_path, &svg_path, &png_path] {
        println!("  wrote {}", p.display());
    }
    progress.say("coverage written");
    Ok(())
}
