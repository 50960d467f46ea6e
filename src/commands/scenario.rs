//! `carecircle scenario generate`: a plausible home-care day on a real extract.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use formats::scenario::TravelMode;
use roads::Mode;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use crate::generate::{self, osm_sample, Options};
use crate::input;
use crate::output::svg;
use crate::progress::Progress;

#[derive(ClapArgs)]
#[command(
    about = "Scenario files: generate a plausible home-care day on a real extract; print the JSON Schema of scenarios and travel matrices"
)]
pub struct Args {
    #[command(subcommand)]
    command: ScenarioCommand,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// The JSON Schema of a scenario file (or with --matrix, of a travel-matrix file), for
    /// editors and other programs that write them.
    #[command(
        after_help = "Examples:\n  carecircle scenario schema > scenario.schema.json\n  carecircle scenario schema --matrix --out matrix.schema.json"
    )]
    Schema {
        /// The travel-matrix file's schema instead of the scenario's.
        #[arg(long)]
        matrix: bool,
        /// Write it here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Places stations in towns, clients on residential streets inside each station's service
    /// circle, caregivers per station and a day of visits across the six services; writes the
    /// scenario JSON and an SVG map beside it.
    #[command(
        after_help = "Examples:\n  carecircle scenario generate --pbf data/osm/andorra-2020-05-01.osm.pbf --stations 3 --caregivers 24 --clients 150 --seed 1 --out scenarios/demo.json\n  carecircle scenario generate --pbf data/osm/andorra-2020-05-01.osm.pbf --preset county --out out/county.json\n  carecircle scenario generate --pbf data/osm/andorra-2020-05-01.osm.pbf --preset county-lunch --out out/lunch.json\n  carecircle scenario generate --pbf data/osm/andorra-2020-05-01.osm.pbf --preset city-meals --out out/city.json\n  carecircle scenario generate --pbf data/osm/andorra-2020-05-01.osm.pbf --preset province --out out/province.json\n\nThe county preset is a Rongcheng-sized programme: 11 stations, the 300 caregivers on duty (of a\nroster of about 800), 3,200 clients of whom 58 % book care packages (--packages: about 1,200\nvisits a day over the week) and every home-care rule (--rules). The county-lunch preset is a day of meal rounds: 500 hot lunches\nfrom 20 community canteens (--canteens 20 --lunch-only) by 80 caregivers of 4 stations. The city-meals preset is a city meal day as Jinan's platform runs them (about\n200,000 meals a month): 6,700 hot lunches from 100 elder canteens by 600 caregivers of 10 stations. The province preset is\nfour counties of 11 stations (on a small extract the stations are synthetic and overlap), for\nbenches/province/run.sh."
    )]
    Generate(GenerateArgs),
}

/// Programmes whose size a scenario can copy.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Preset {
    /// The bundled demo: 3 stations, 24 caregivers, 150 clients, all with visits.
    Demo,
    /// A Rongcheng-sized county day with every home-care rule.
    County,
    /// A county lunch: 4 stations, 80 caregivers, 500 clients each getting a hot lunch from
    /// one of 20 community canteens.
    CountyLunch,
    /// A city meal day as Jinan's platform runs them (about 200,000 meals a month): 10
    /// stations, 600 caregivers, 6,700 hot lunches from 100 elder canteens.
    CityMeals,
    /// A province's night of planning, scaled down: two prefectures of two counties of 11
    /// stations (44 stations, 352 caregivers, 1,760 clients); on a small extract the stations
    /// are synthetic and their circles overlap. `benches/province/run.sh` plans it through
    /// the solve queue.
    Province,
}

/// What `scenario generate` is asked for.
#[derive(ClapArgs)]
struct GenerateArgs {
    #[arg(long)]
    pbf: PathBuf,
    /// Sizes and rules of a known programme; the flags below override its numbers.
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Number of stations [default: 3]
    #[arg(long)]
    stations: Option<usize>,
    /// Caregivers on duty, spread over the stations [default: 24]
    #[arg(long)]
    caregivers: Option<usize>,
    /// Clients, spread over the stations [default: 150]
    #[arg(long)]
    clients: Option<usize>,
    /// Chance that a client has visits on the day [default: 1]
    #[arg(long)]
    visit_rate: Option<f64>,
    /// Also draw the home-care rules: female-only bathing and personal care, usual and
    /// refused caregivers, contracted hours, lunch breaks, two-caregiver bathing, meal
    /// deadlines.
    #[arg(long)]
    rules: bool,
    /// Book a week of care packages (meals every day, cleaning twice a week, ...)
    /// instead of a day of visits; plan them with `carecircle week`.
    #[arg(long)]
    packages: bool,
    /// Community canteens to place: meals are then picked up there and delivered in meal
    /// rounds (hot within 30 minutes, 6 to a box; see `meal_rules` in scenarios/README.md).
    #[arg(long)]
    canteens: Option<usize>,
    /// A lunch day: one hot lunch delivered to every client, nothing else.
    #[arg(long)]
    lunch_only: bool,
    /// Share of caregivers (0-1) whose day starts and ends at home, somewhere the stations
    /// serve (often outside their own circle) [default: 0]
    #[arg(long, default_value_t = 0.0)]
    homes: f64,
    /// The longest commute from home to the first visit and back, in minutes.
    #[arg(long, default_value_t = 30)]
    max_commute: u32,
    /// Plan every station as one pool (`pools` in the scenario): a client may be served by
    /// a caregiver of any station whose circle reaches them.
    #[arg(long)]
    pool: bool,
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
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    let command = match args.command {
        ScenarioCommand::Schema { matrix, out } => {
            let schema = if matrix {
                formats::travel_matrix::json_schema()
            } else {
                formats::scenario::json_schema()
            };
            let text = serde_json::to_string_pretty(&schema)? + "\n";
            match out {
                Some(path) => {
                    input::write_text(&path, &text)?;
                    progress.say(format!("wrote {}", path.display()));
                }
                None => print!("{text}"),
            }
            return Ok(ExitCode::SUCCESS);
        }
        ScenarioCommand::Generate(generate) => generate,
    };
    let GenerateArgs {
        pbf,
        preset,
        stations,
        caregivers,
        clients,
        visit_rate,
        rules,
        packages,
        canteens,
        lunch_only,
        homes,
        max_commute,
        pool,
        seed,
        minutes,
        mode,
        date,
        name,
        out,
    } = command;
    // (stations, caregivers, clients, visit rate, rules and packages, canteens, lunch only)
    let base = match preset {
        None | Some(Preset::Demo) => (3, 24, 150, 1.0, false, 0, false),
        Some(Preset::County) => (11, 300, 3_200, 0.58, true, 0, false),
        Some(Preset::CountyLunch) => (4, 80, 500, 1.0, false, 20, true),
        Some(Preset::CityMeals) => (10, 600, 6_700, 1.0, false, 100, true),
        Some(Preset::Province) => (44, 352, 1_760, 1.0, false, 0, false),
    };
    let stations = stations.unwrap_or(base.0);
    let caregivers = caregivers.unwrap_or(base.1);
    let clients = clients.unwrap_or(base.2);
    let visit_rate = visit_rate.unwrap_or(base.3);
    if !(0.0..=1.0).contains(&visit_rate) {
        anyhow::bail!("--visit-rate: {visit_rate} is not between 0 and 1");
    }
    if !(0.0..=1.0).contains(&homes) {
        anyhow::bail!("--homes: {homes} is not between 0 and 1");
    }
    if max_commute == 0 {
        anyhow::bail!("--max-commute: must be at least 1 minute");
    }
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
        visit_rate,
        rules: rules || base.4,
        packages: packages || base.4,
        canteens: canteens.unwrap_or(base.5),
        lunch_only: lunch_only || base.6,
        overlap: matches!(preset, Some(Preset::Province)),
        homes,
        max_commute_minutes: Some(max_commute),
        pool,
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
fn map(scenario: &formats::scenario::Scenario) -> String {
    use crate::output::geojson::PALETTE;
    let at = |p: &formats::scenario::GeoPoint| roads::LonLat { lon: p.lon, lat: p.lat };
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
