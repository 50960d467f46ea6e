//! `carecircle scenario generate`: a plausible home-care day on a real extract.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use roads::Mode;
use solver::scenario::TravelMode;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use crate::generate::{self, osm_sample, Options};
use crate::input;
use crate::output::svg;
use crate::progress::Progress;

#[derive(ClapArgs)]
#[command(about = "Scenario files: generate a plausible home-care day on a real extract")]
pub struct Args {
    #[command(subcommand)]
    command: ScenarioCommand,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Places stations in towns, clients on residential streets inside each station's service
    /// circle, caregivers per station and a day of visits across the six services; writes the
    /// scenario JSON and an SVG map beside it.
    #[command(
        after_help = "Example:\n  carecircle scenario generate --pbf data/osm/andorra-2020-05-01.osm.pbf --stations 3 --caregivers 24 --clients 150 --seed 1 --out scenarios/demo.json"
    )]
    Generate {
        #[arg(long)]
        pbf: PathBuf,
        #[arg(long, default_value_t = 3)]
        stations: usize,
        #[arg(long, default_value_t = 24)]
        caregivers: usize,
        #[arg(long, default_value_t = 150)]
        clients: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Size of each station's service circle.
        #[arg(long, default_value_t = 15)]
        minutes: u32,
        #[arg(long, default_value = "ebike")]
        mode: TravelMode,
        /// The plan day, YYYY-MM-DD.
        #[arg(long, default_value = "2026-11-25")]
        date: String,
        /// Scenario name (default: the output file's name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    let ScenarioCommand::Generate {
        pbf,
        stations,
        caregivers,
        clients,
        seed,
        minutes,
        mode,
        date,
        name,
        out,
    } = args.command;
    if !(1..=120).contains(&minutes) {
        anyhow::bail!("--minutes: {minutes} is not between 1 and 120");
    }
    let network = input::load_network(&pbf, &Mode::ALL, progress)?;
    let sample = osm_sample::read(&pbf)?;
    progress.say(format!(
        "{} named places, {} residential-street nodes",
        sample.places.len(),
        sample.homes.len()
    ));
    let name = name.unwrap_or_else(|| {
        out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or("scenario".into())
    });
    let opts = Options {
        name,
        date,
        osm: relative_to(&pbf, out.parent().unwrap_or(Path::new("."))),
        stations,
        caregivers,
        clients,
        circle_minutes: minutes,
        circle_mode: mode,
        seed,
    };
    let scenario = generate::generate(&network, &sample, &opts, progress)?;
    input::write_json(&out, &scenario)?;
    let svg_path = out.with_extension("svg");
    input::write_text(&svg_path, &map(&scenario))?;
    println!(
        "{}: {} stations, {} caregivers, {} clients, {} visits; written to {} and {}",
        scenario.name,
        scenario.stations.len(),
        scenario.caregivers.len(),
        scenario.clients.len(),
        scenario.visits.len(),
        out.display(),
        svg_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Stations and clients (coloured by station) on a plain map.
fn map(scenario: &solver::scenario::Scenario) -> String {
    use crate::output::geojson::PALETTE;
    let at = |p: &solver::scenario::GeoPoint| roads::LonLat { lon: p.lon, lat: p.lat };
    let mut shapes = Vec::new();
    for c in &scenario.clients {
        let s = scenario.stations.iter().position(|s| s.id == c.station).unwrap_or(0);
        shapes.push(svg::Shape::Stop { at: at(&c.location), color: PALETTE[s % PALETTE.len()] });
    }
    for s in &scenario.stations {
        shapes.push(svg::Shape::Station { at: at(&s.location), label: &s.id });
    }
    let title = format!(
        "{}: {} stations, {} clients, {} visits",
        scenario.name,
        scenario.stations.len(),
        scenario.clients.len(),
        scenario.visits.len()
    );
    svg::render(&title, &shapes, 1000.0)
}

/// `target` as a path relative to `base` (both resolved against the working directory), so
/// the scenario keeps working when the repository moves.
fn relative_to(target: &Path, base: &Path) -> Option<String> {
    let target = std::fs::canonicalize(target).ok()?;
    let base =
        std::fs::canonicalize(if base.as_os_str().is_empty() { Path::new(".") } else { base })
            .with_context(|| format!("{}", base.display()))
            .ok()?;
    let t: Vec<Component> = target.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c);
    }
    Some(rel.to_string_lossy().into_owned())
}
