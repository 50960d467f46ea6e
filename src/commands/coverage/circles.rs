//! `coverage circles`: how far each station's service circle reaches on real roads, and
//! which clients fall outside every circle.

use anyhow::Result;
use formats::scenario::{Scenario, TravelMode};
use planner::coverage::{self, CircleReport, CoverageReport};
use roads::{LonLat, Mode};
use std::path::Path;
use std::process::ExitCode;

use crate::input;
use crate::output::{png, svg};
use crate::progress::Progress;
use planner::travel::to_wgs84;

/// `coverage circles`: see [`super::CoverageCommand::Circles`].
pub fn run(
    scenario: &Scenario,
    network: &roads::RoadNetwork,
    (mode, minutes): (Option<TravelMode>, Option<u32>),
    threads: usize,
    out: &Path,
    progress: &Progress,
) -> Result<ExitCode> {
    let say = &mut |c: &CircleReport| {
        progress.say(format!(
            "station {}: {} clients inside its {}-minute {} circle",
            c.station, c.clients_inside, c.minutes, c.mode
        ))
    };
    let report = coverage::circles(scenario, network, mode, minutes, threads, say)?;
    print_report(&report);
    write_outputs(scenario, network, &report, out, progress)?;
    Ok(ExitCode::SUCCESS)
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
