//! `carecircle roads`: look at an extract's road graphs, compute matrices and service circles.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand, ValueEnum};
use formats::scenario::{Crs, GeoPoint, TravelMode};
use planner::travel;
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
    /// Travel-time and distance matrix between points (CSV `id,lon,lat`, WGS84) or every
    /// station, client and canteen of a scenario, in the travel-matrix format a scenario or
    /// the service reads (`--matrix FILE`, `"travel": {"matrix": FILE}`).
    #[command(
        after_help = "Examples:\n  carecircle roads matrix data/osm/andorra-2020-05-01.osm.pbf --points points.csv --mode car --out matrix.csv\n  carecircle roads matrix data/osm/andorra-2020-05-01.osm.pbf --scenario scenarios/demo.json --format json --out demo-matrix.json\n  carecircle solve scenarios/demo.json --matrix demo-matrix.json\n\nCSV has one row per pair and mode: from,to,mode,seconds,metres. JSON is {\"points\": [...], \"modes\": {\"ebike\": {\"durations\": [[...]], \"distances\": [[...]]}}}."
    )]
    Matrix {
        pbf: PathBuf,
        /// CSV with `id,lon,lat` per line (a header line is allowed).
        #[arg(long, required_unless_present = "scenario", conflicts_with = "scenario")]
        points: Option<PathBuf>,
        /// A scenario: every station, client and canteen, named by id.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Travel modes, comma-separated (default: car for points, the modes the scenario's
        /// caregivers use for a scenario).
        #[arg(long, value_delimiter = ',')]
        mode: Vec<TravelMode>,
        /// csv (from,to,mode,seconds,metres) or json (points and modes).
        #[arg(long, value_enum, default_value_t = MatrixFormat::Csv)]
        format: MatrixFormat,
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

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MatrixFormat {
    Csv,
    Json,
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
        RoadsCommand::Matrix { pbf, points, scenario, mode, format, out, snap_limit } => {
            let from = match (&points, &scenario) {
                (Some(p), _) => MatrixPoints::Csv(p),
                (None, Some(s)) => MatrixPoints::Scenario(s),
                (None, None) => anyhow::bail!("--points or --scenario: say which points"),
            };
            matrix(&pbf, from, &mode, format, &out, snap_limit, progress)
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

/// Where `roads matrix` takes its points from.
enum MatrixPoints<'a> {
    Csv(&'a Path),
    Scenario(&'a Path),
}

fn matrix(
    pbf: &Path,
    from: MatrixPoints,
    modes: &[TravelMode],
    format: MatrixFormat,
    out: &Path,
    snap_limit: f64,
    progress: &Progress,
) -> Result<()> {
    let (ids, points, modes) = match from {
        MatrixPoints::Csv(path) => {
            let (ids, points): (Vec<String>, Vec<GeoPoint>) = input::read_points(path)?
                .into_iter()
                .map(|(id, p)| (id, GeoPoint { lon: p.lon, lat: p.lat, crs: Crs::Wgs84 }))
                .unzip();
            let modes = if modes.is_empty() { vec![TravelMode::Car] } else { modes.to_vec() };
            (ids, points, modes)
        }
        MatrixPoints::Scenario(path) => {
            let input::ProblemFile::Scenario { scenario, .. } = input::read_problem(path)? else {
                anyhow::bail!("--scenario: {} is not a scenario (JSON)", path.display());
            };
            // Every point a station day may use, named as the scenario names it.
            let mut named: Vec<(String, GeoPoint)> = Vec::new();
            named.extend(scenario.stations.iter().map(|s| (s.id.clone(), s.location)));
            named.extend(scenario.clients.iter().map(|c| (c.id.clone(), c.location)));
            named.extend(scenario.canteens.iter().map(|c| (c.id.clone(), c.location)));
            let mut modes = modes.to_vec();
            if modes.is_empty() {
                modes = scenario.caregivers.iter().map(|c| c.mode).collect();
                modes.sort();
                modes.dedup();
            }
            let (ids, points) = named.into_iter().unzip();
            (ids, points, modes)
        }
    };
    if modes.is_empty() {
        anyhow::bail!("--mode: the scenario has no caregivers; name the travel modes");
    }
    let road_modes: Vec<Mode> = modes.iter().map(|&m| travel::road_mode(m)).collect();
    let network = input::load_network(pbf, &road_modes, progress)?;
    let started = Instant::now();
    // The very computation a station day on these roads makes, so plans come out the same.
    let computed = travel::points_travel(&network, "matrix", &points, &ids, &modes, snap_limit)
        .context("snapping the points")?;
    let n = ids.len();
    let matrix = computed.to_file(ids, &modes)?;
    let elapsed = started.elapsed();
    match format {
        // Compact: a county's matrix is millions of numbers.
        MatrixFormat::Json => input::write_text(out, &serde_json::to_string(&matrix.to_json())?)?,
        MatrixFormat::Csv => {
            let mut csv = String::from("from,to,mode,seconds,metres\n");
            for mode in matrix.modes() {
                for (i, a) in matrix.points().iter().enumerate() {
                    for (j, b) in matrix.points().iter().enumerate() {
                        if let Some((s, m)) = matrix.leg(mode, i, j) {
                            let _ = writeln!(csv, "{},{},{mode},{s},{m}", quoted(a), quoted(b));
                        }
                    }
                }
            }
            input::write_text(out, &csv)?;
        }
    }
    println!(
        "{n}x{n} matrix for {} in {:.3}s; written to {}",
        modes.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "),
        elapsed.as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// A CSV cell: quoted when the id holds a comma or a quote.
fn quoted(id: &str) -> String {
    if id.contains([',', '"', '\n']) {
        format!("\"{}\"", id.replace('"', "\"\""))
    } else {
        id.to_string()
    }
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
