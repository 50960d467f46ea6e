//! `carecircle demo`: the out-of-the-box run on the bundled extract and demo scenario.

use anyhow::Result;
use clap::Args as ClapArgs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::solve::{seconds, ScenarioRun};
use crate::input::{self, ProblemFile};
use crate::output::table;
use crate::progress::Progress;
use crate::station_plans::{self, SearchBudget};

/// Where the bundled files live: the working directory when run from the repository,
/// else the repository the binary was built from.
pub fn bundled(relative: &str) -> PathBuf {
    let here = Path::new(relative);
    if here.exists() {
        here.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

#[derive(ClapArgs)]
#[command(
    about = "Plan the bundled demo day on real roads and write the plan, GeoJSON and a map",
    long_about = "Builds the road graphs (walk, e-bike, car) of the bundled OpenStreetMap extract \
(data/osm), loads the demo scenario (scenarios/demo.json), plans every station's day, checks the \
plan with the independent checker, prints a KPI table and writes plan.json, plan.routes.geojson \
(road paths) and plan.svg (a map) into the output folder.",
    after_help = "Examples:\n  carecircle demo\n  carecircle demo --out /tmp/demo --time-limit 20 --seed 7"
)]
pub struct Args {
    #[command(flatten)]
    threads: input::ThreadFlags,
    /// Output folder.
    #[arg(long, default_value = "out/demo")]
    out: PathBuf,
    /// Time limit in seconds for the whole plan (roads, matrices and search).
    #[arg(long, default_value_t = 10.0)]
    time_limit: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Scenario to plan instead of the bundled demo.
    #[arg(long)]
    scenario: Option<PathBuf>,
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    let path = args.scenario.unwrap_or_else(|| bundled("scenarios/demo.json"));
    let ProblemFile::Scenario { scenario, travel } = input::read_problem(&path)? else {
        anyhow::bail!("{}: the demo needs a scenario (JSON), not a VRPTW instance", path.display());
    };
    let source =
        station_plans::travel_source(&input::TravelFlags::default(), travel.as_ref(), progress)?;
    let budget = SearchBudget {
        time_limit: seconds(args.time_limit)?,
        max_iterations: None,
        seed: args.seed,
        threads: args.threads.threads(progress),
    };
    let run = ScenarioRun::solve(&scenario, &source, budget, progress)?;
    let written = run.write(&args.out.join("plan.json"), progress)?;
    print!("{}", table::kpi_table(&run.plan, scenario.caregivers.len()));
    println!("  plan checked: feasible (independent checker)");
    for p in written {
        println!("  wrote {}", p.display());
    }
    println!("Roads © OpenStreetMap contributors (ODbL).");
    Ok(ExitCode::SUCCESS)
}
