//! Reading the files a user hands the command: problem files (format detected from the
//! content), plan files and OpenStreetMap extracts.

use anyhow::{Context, Result};
use formats::lilim::{is_lilim, parse_lilim, LiLimInstance};
use formats::mankowska::{is_mankowska, parse_mankowska, MankowskaInstance};
use formats::scenario::{Scenario, TravelSpec};
use formats::solomon::parse_solomon;
use formats::travel_matrix::{StraightLine, TravelMatrix};
use formats::vrplib::parse_vrplib;
use formats::vrptw::VrptwInstance;
use roads::{CacheUse, LonLat, Mode, RoadNetwork};
use solver::Plan;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::progress::Progress;

/// A problem file, by format.
pub enum ProblemFile {
    /// A VRPTW benchmark instance: Solomon / Gehring–Homberger text or VRPLIB.
    Vrptw(VrptwInstance),
    /// A home-health-care instance of Mankowska et al. (2014).
    Mankowska(MankowskaInstance),
    /// A pick-up-and-delivery (PDPTW) instance of Li & Lim.
    LiLim(LiLimInstance),
    /// A CareCircle scenario (JSON); `travel` is the travel source it names (an extract or a
    /// matrix file, resolved against the scenario's folder, or straight lines).
    Scenario { scenario: Scenario, travel: Option<TravelFile> },
}

/// The travel source a scenario names.
#[derive(Clone, Debug)]
pub enum TravelFile {
    Osm(PathBuf),
    Matrix(PathBuf),
    StraightLine(StraightLine),
}

impl TravelFile {
    /// The OpenStreetMap extract, where the source is roads.
    pub fn osm(&self) -> Option<&Path> {
        match self {
            TravelFile::Osm(p) => Some(p),
            _ => None,
        }
    }
}

/// `--threads N`: how many station-days are planned at once. Default: the machine's cores;
/// `0`, negative or non-numeric values are refused; more than the cores is allowed with a
/// warning.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct ThreadFlags {
    /// Threads (default: the machine's cores): station-days planned at once, and with fewer
    /// station-days than threads, each day's search on several. With a seed and
    /// `--iterations` the plan is the same every time; station-days on one thread each
    /// plan the same at any number.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
}

/// The machine's cores.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl ThreadFlags {
    /// The threads to use, warning on stderr when they are more than the cores.
    pub fn threads(self, progress: &crate::progress::Progress) -> usize {
        let cores = cores();
        match self.threads {
            None => cores,
            Some(n) => {
                let n = n as usize;
                if n > cores {
                    progress.say(format!(
                        "warning: --threads {n} is more than this machine's {cores} cores: the \
                         threads share them"
                    ));
                }
                n
            }
        }
    }
}

/// `--pbf FILE` or `--matrix FILE`: a travel source given on the command line, winning over
/// the scenario's.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TravelFlags {
    /// OpenStreetMap extract for a scenario (default: the scenario's "osm" field).
    #[arg(long)]
    pub pbf: Option<PathBuf>,
    /// Travel-time matrix file (JSON or CSV, see scenarios/README.md) instead of roads.
    #[arg(long, conflicts_with = "pbf")]
    pub matrix: Option<PathBuf>,
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// Reads a problem file: JSON is a scenario, a file starting `nbNodes` a Mankowska instance,
/// a line of three numbers then rows of nine a Li & Lim instance, `KEY : VALUE` lines a VRPLIB
/// instance, anything else a Solomon instance.
pub fn read_problem(path: &Path) -> Result<ProblemFile> {
    let text = read_text(path)?;
    if text.trim_start().starts_with('{') {
        let scenario = Scenario::from_json(&text).with_context(|| format!("{}", path.display()))?;
        let beside = |p: &str| {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                path.parent().unwrap_or(Path::new(".")).join(p)
            }
        };
        let travel = match (&scenario.osm, &scenario.travel) {
            (Some(osm), _) => Some(TravelFile::Osm(beside(osm))),
            (None, Some(TravelSpec::Matrix(m))) => Some(TravelFile::Matrix(beside(m))),
            (None, Some(TravelSpec::StraightLine(l))) => Some(TravelFile::StraightLine(*l)),
            (None, None) => None,
        };
        Ok(ProblemFile::Scenario { scenario, travel })
    } else if is_mankowska(&text) {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let instance =
            parse_mankowska(&text, &name).with_context(|| format!("{}", path.display()))?;
        Ok(ProblemFile::Mankowska(instance))
    } else if is_lilim(&text) {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let instance = parse_lilim(&text, &name).with_context(|| format!("{}", path.display()))?;
        Ok(ProblemFile::LiLim(instance))
    } else {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        let instance = if first.contains(':') {
            parse_vrplib(&text, &name)
        } else {
            parse_solomon(&text, &name)
        };
        Ok(ProblemFile::Vrptw(instance.with_context(|| format!("{}", path.display()))?))
    }
}

/// Reads a travel-matrix file (JSON or CSV).
pub fn read_matrix(path: &Path, progress: &Progress) -> Result<TravelMatrix> {
    let started = Instant::now();
    let text = read_text(path)?;
    let matrix = TravelMatrix::parse(&text).with_context(|| format!("{}", path.display()))?;
    progress.say(format!(
        "read a travel matrix of {} points from {} in {:.1}s",
        matrix.points().len(),
        path.display(),
        started.elapsed().as_secs_f64()
    ));
    Ok(matrix)
}

/// Reads a plan written by `carecircle solve`.
pub fn read_plan(path: &Path) -> Result<Plan> {
    let text = read_text(path)?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not a CareCircle plan", path.display()))
}

/// Where prepared road graphs are cached: `$CARECIRCLE_CACHE_DIR` (`off` disables it), else
/// `$XDG_CACHE_HOME/carecircle`, else `~/.cache/carecircle`.
fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("CARECIRCLE_CACHE_DIR") {
        Some(dir) if dir == "off" => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
            .map(|d| d.join("carecircle")),
    }
}

/// Builds the road graphs of `modes` from an extract (or reads them from the cache of
/// prepared graphs), saying how long it took.
pub fn load_network(pbf: &Path, modes: &[Mode], progress: &Progress) -> Result<RoadNetwork> {
    let started = Instant::now();
    progress.say(format!("reading roads from {} ...", pbf.display()));
    let cannot = || format!("{}: cannot build the road graph", pbf.display());
    let network = match cache_dir() {
        Some(dir) => {
            let (network, how) =
                RoadNetwork::from_pbf_cached(pbf, modes, &dir).with_context(cannot)?;
            match how {
                CacheUse::Hit(file) => {
                    progress.say(format!("prepared graphs read from {}", file.display()))
                }
                CacheUse::Stored(file) => {
                    progress.say(format!("prepared graphs cached in {}", file.display()))
                }
                CacheUse::NotStored(why) => progress.say(format!("graphs not cached: {why}")),
            }
            network
        }
        None => RoadNetwork::from_pbf(pbf, modes).with_context(cannot)?,
    };
    let report = network.report();
    if report.missing_refs > 0 {
        progress.say(format!(
            "warning: {} way node references are missing from the extract (a bounding-box cut?); \
             those parts of the ways were skipped",
            report.missing_refs
        ));
    }
    for &mode in modes {
        if let Ok(graph) = network.graph(mode) {
            let info = graph.info();
            progress.say(format!(
                "{mode:>5} graph: {} nodes, {} edges, {:.0} km of road",
                info.nodes, info.edges, info.total_km
            ));
        }
    }
    progress.say(format!("road graphs ready in {:.1}s", started.elapsed().as_secs_f64()));
    Ok(network)
}

/// Writes `value` as pretty JSON, creating parent folders.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    write_text(path, &(serde_json::to_string_pretty(value)? + "\n"))
}

/// Writes text, creating parent folders.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_bytes(path, text.as_bytes())
}

/// Writes bytes, creating parent folders.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("{}: cannot write", path.display()))
}

/// Reads `id,lon,lat` lines; the error names the line and the field.
pub fn read_points(path: &Path) -> Result<Vec<(String, LonLat)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let mut points = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if n == 0 && fields.get(1).is_some_and(|f| f.parse::<f64>().is_err()) {
            continue; // a header line
        }
        let at = |field: &str, reason: String| {
            anyhow::anyhow!("{}: line {}: {field}: {reason}", path.display(), n + 1)
        };
        if fields.len() < 3 {
            return Err(at("line", format!("expected id,lon,lat, got {line:?}")));
        }
        let lon: f64 =
            fields[1].parse().map_err(|_| at("lon", format!("{:?} is not a number", fields[1])))?;
        let lat: f64 =
            fields[2].parse().map_err(|_| at("lat", format!("{:?} is not a number", fields[2])))?;
        if !(-180.0..=180.0).contains(&lon) {
            return Err(at("lon", format!("{lon} is not a longitude")));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(at("lat", format!("{lat} is not a latitude")));
        }
        points.push((fields[0].to_string(), LonLat { lon, lat }));
    }
    if points.is_empty() {
        anyhow::bail!("{}: no points", path.display());
    }
    Ok(points)
}
