//! `carecircle roads`: look at an extract's road graphs, compute matrices and service circles.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use roads::{CoordSystem, LonLat, Mode};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::input;
use crate::progress::Progress;

#[derive(ClapArgs)]
#[command(
    about = "Road graphs of an OpenStreetMap extract: info, travel-time matrices, service circles"
)]
pub struct Args {
    #[command(subcommand)]
    command: RoadsCommand,
}

#[derive(Subcommand)]
enum RoadsCommand {
    /// Counts per travel mode and the bounding box of an extract.
    #[command(
        after_help = "Example:\n  carecircle roads info data/osm/andorra-2020-05-01.osm.pbf"
    )]
    Info { pbf: PathBuf },
    /// Travel-time and distance matrix between points (CSV `id,lon,lat`, WGS84).
    #[command(
        after_help = "Example:\n  carecircle roads matrix data/osm/andorra-2020-05-01.osm.pbf --points points.csv --mode car --out matrix.csv\n\nThe output has one row per pair: from,to,seconds,meters."
    )]
    Matrix {
        pbf: PathBuf,
        /// CSV with `id,lon,lat` per line (a header line is allowed).
        #[arg(long)]
        points: PathBuf,
        #[arg(long, default_value = "car")]
        mode: Mode,
        #[arg(long)]
        out: PathBuf,
        /// Largest distance from a point to the nearest road, in metres.
        #[arg(long, default_value_t = roads::DEFAULT_SNAP_LIMIT_M)]
        snap_limit: f64,
    },
    /// The routing graph of one mode as CSV (nodes.csv: id,lon,lat; edges.csv:
    /// from,to,milliseconds,decimetres), for GIS tools and other routers.
    #[command(
        after_help = "Example:\n  carecircle roads export data/osm/andorra-2020-05-01.osm.pbf --mode car --out out/graph"
    )]
    Export {
        pbf: PathBuf,
        #[arg(long, default_value = "car")]
        mode: Mode,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// The area reachable within N minutes from a point (a service circle), as GeoJSON.
    #[command(
        after_help = "Example:\n  carecircle roads isochrone data/osm/andorra-2020-05-01.osm.pbf --at 1.5218,42.5075 --minutes 15 --mode ebike --out circle.geojson"
    )]
    Isochrone {
        pbf: PathBuf,
        /// LON,LAT of the centre.
        #[arg(long, value_parser = parse_lon_lat)]
        at: LonLat,
        /// Coordinate system of --at: wgs84, gcj02 (Amap, Tencent) or bd09 (Baidu).
        #[arg(long, default_value = "wgs84")]
        crs: CoordSystem,
        #[arg(long, default_value_t = 15)]
        minutes: u32,
        #[arg(long, default_value = "ebike")]
        mode: Mode,
        #[arg(long)]
        out: PathBuf,
    },
}

fn parse_lon_lat(s: &str) -> Result<LonLat, String> {
    let (lon, lat) = s.split_once(',').ok_or("expected LON,LAT, e.g. 1.5218,42.5075")?;
    let lon: f64 = lon.trim().parse().map_err(|_| format!("{lon:?} is not a longitude"))?;
    let lat: f64 = lat.trim().parse().map_err(|_| format!("{lat:?} is not a latitude"))?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("{lon},{lat} is outside longitude -180..180, latitude -90..90"));
    }
    Ok(LonLat { lon, lat })
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    match args.command {
        RoadsCommand::Info { pbf } => info(&pbf, progress),
        RoadsCommand::Matrix { pbf, points, mode, out, snap_limit } => {
            matrix(&pbf, &points, mode, &out, snap_limit, progress)
        }
        RoadsCommand::Export { pbf, mode, out } => export(&pbf, mode, &out, progress),
        RoadsCommand::Isochrone { pbf, at, crs, minutes, mode, out } => {
            isochrone(&pbf, crs.to_wgs84(at), minutes, mode, &out, progress)
        }
    }?;
    Ok(ExitCode::SUCCESS)
}

fn info(pbf: &Path, progress: &Progress) -> Result<()> {
    let network = input::load_network(pbf, &Mode::ALL, progress)?;
    let report = network.report();
    println!("{}", pbf.display());
    println!(
        "  OSM: {} nodes read, {} ways used, {} missing node references skipped",
        report.nodes_read, report.ways_used, report.missing_refs
    );
    println!(
        "  {:<6} {:>9} {:>10} {:>9} {:>10} {:>14}",
        "mode", "nodes", "junctions", "edges", "road km", "dropped nodes"
    );
    let mut bbox = None;
    for mode in Mode::ALL {
        let info = network.graph(mode)?.info();
        println!(
            "  {:<6} {:>9} {:>10} {:>9} {:>10.1} {:>14}",
            mode.to_string(),
            info.nodes,
            info.junctions,
            info.edges,
            info.total_km,
            info.dropped_nodes
        );
        bbox.get_or_insert(info.bbox);
    }
    if let Some((min, max)) = bbox {
        println!(
            "  bounding box (largest walk component): {:.5},{:.5} – {:.5},{:.5}",
            min.lon, min.lat, max.lon, max.lat
        );
    }
    println!("  Roads © OpenStreetMap contributors (ODbL)");
    Ok(())
}

fn matrix(
    pbf: &Path,
    points_csv: &Path,
    mode: Mode,
    out: &Path,
    snap_limit: f64,
    progress: &Progress,
) -> Result<()> {
    let points = input::read_points(points_csv)?;
    let network = input::load_network(pbf, &[mode], progress)?;
    let graph = network.graph(mode)?;
    let started = Instant::now();
    let snaps = points
        .iter()
        .map(|(id, p)| graph.snap(*p, snap_limit).with_context(|| format!("point {id:?}")))
        .collect::<Result<Vec<_>>>()?;
    let snapped = started.elapsed();
    let m = graph.matrix(&snaps);
    let total = started.elapsed();
    let mut csv = String::from("from,to,seconds,meters\n");
    for (i, (a, _)) in points.iter().enumerate() {
        for (j, (b, _)) in points.iter().enumerate() {
            let _ = writeln!(csv, "{a},{b},{},{}", m.seconds(i, j), m.meters(i, j));
        }
    }
    input::write_text(out, &csv)?;
    println!(
        "{}x{} {mode} matrix in {:.3}s (snapping {:.3}s, shortest paths {:.3}s); written to {}",
        points.len(),
        points.len(),
        total.as_secs_f64(),
        snapped.as_secs_f64(),
        (total - snapped).as_secs_f64(),
        out.display()
    );
    Ok(())
}

fn export(pbf: &Path, mode: Mode, out: &Path, progress: &Progress) -> Result<()> {
    let network = input::load_network(pbf, &[mode], progress)?;
    let graph = network.graph(mode)?;
    let mut nodes = String::from("id,lon,lat\n");
    for (i, p) in graph.nodes().iter().enumerate() {
        let _ = writeln!(nodes, "{i},{:.7},{:.7}", p.lon, p.lat);
    }
    let mut edges = String::from("from,to,milliseconds,decimetres\n");
    let mut count = 0;
    for (u, v, ms, dm) in graph.edges() {
        let _ = writeln!(edges, "{u},{v},{ms},{dm}");
        count += 1;
    }
    input::write_text(&out.join("nodes.csv"), &nodes)?;
    input::write_text(&out.join("edges.csv"), &edges)?;
    println!(
        "{mode} graph: {} nodes, {count} directed edges; written to {}",
        graph.nodes().len(),
        out.display()
    );
    Ok(())
}

fn isochrone(
    pbf: &Path,
    at: LonLat,
    minutes: u32,
    mode: Mode,
    out: &Path,
    progress: &Progress,
) -> Result<()> {
    let network = input::load_network(pbf, &[mode], progress)?;
    let graph = network.graph(mode)?;
    let snap = graph.snap(at, roads::DEFAULT_SNAP_LIMIT_M).context("--at")?;
    let started = Instant::now();
    let polygon = graph.isochrone(&snap, i64::from(minutes) * 60);
    let elapsed = started.elapsed();
    let mut properties = serde_json::Map::new();
    properties.insert("mode".into(), mode.to_string().into());
    properties.insert("minutes".into(), minutes.into());
    properties.insert("center".into(), serde_json::json!([at.lon, at.lat]));
    properties.insert("attribution".into(), "© OpenStreetMap contributors (ODbL)".into());
    let feature = roads::polygon_to_geojson(&polygon, properties);
    let collection =
        geojson::FeatureCollection { bbox: None, features: vec![feature], foreign_members: None };
    input::write_text(out, &(collection.to_string() + "\n"))?;
    println!(
        "{minutes}-minute {mode} circle around {:.5},{:.5} ({} vertices) in {:.3}s; written to {}",
        at.lon,
        at.lat,
        polygon.exterior().0.len(),
        elapsed.as_secs_f64(),
        out.display()
    );
    Ok(())
}
