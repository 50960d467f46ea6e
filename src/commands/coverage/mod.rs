//! `carecircle coverage`: service circles on real roads, for planners: who is inside each
//! station's circle, and where stations should go.

mod circles;
mod site;

use anyhow::Result;
use clap::{Args as ClapArgs, Subcommand, ValueEnum};
use formats::scenario::{Scenario, TravelMode};
use planner::siting::Objective;
use roads::{Mode, RoadNetwork};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::input::{self, ProblemFile};
use crate::progress::Progress;
use crate::station_plans;

#[derive(ClapArgs)]
#[command(about = "Service-circle coverage and station siting on the road network")]
pub struct Args {
    #[command(subcommand)]
    command: CoverageCommand,
}

#[derive(Subcommand)]
enum CoverageCommand {
    /// Each station's circle, the share of clients inside at least one circle, the clients
    /// outside every circle (with their travel time to the nearest station) and the overlaps;
    /// writes coverage.json, coverage.geojson and coverage.svg.
    #[command(
        after_help = "Examples:\n  carecircle coverage circles --scenario scenarios/demo.json\n  carecircle coverage circles --scenario scenarios/demo.json --mode walk --minutes 15 --out out/walk"
    )]
    Circles {
        #[command(flatten)]
        common: Common,
        /// Travel mode of the circles (default: each station's own).
        #[arg(long)]
        mode: Option<TravelMode>,
        /// Size of the circles in minutes (default: each station's own).
        #[arg(long)]
        minutes: Option<u32>,
        /// Output folder.
        #[arg(long, default_value = "out/coverage")]
        out: PathBuf,
        #[command(flatten)]
        threads: input::ThreadFlags,
    },
    /// Chooses station sites among candidates: k sites covering the most clients (maximal
    /// covering), the fewest sites covering every client (set cover), or k sites minimising
    /// the clients' total travel time (p-median), as mixed-integer programs with their proven
    /// gap, beside a greedy heuristic; writes site.json, site.geojson, site.svg and site.png.
    #[command(
        after_help = "Examples:\n  carecircle coverage site --scenario scenarios/demo.json --candidates auto --k 3\n  carecircle coverage site --scenario scenarios/demo.json --candidates sites.csv --objective set-cover\n\nA candidates file is CSV `id,lon,lat` (WGS84); `auto` spreads candidates over the road network."
    )]
    Site {
        #[command(flatten)]
        common: Common,
        /// `auto`, or a CSV file of `id,lon,lat` candidate sites.
        #[arg(long, default_value = "auto")]
        candidates: String,
        /// How many candidates `auto` spreads over the road network.
        #[arg(long, default_value_t = 300)]
        auto_candidates: usize,
        /// Number of sites to open (maximal covering).
        #[arg(long, default_value_t = 3)]
        k: usize,
        #[arg(long, value_enum, default_value_t = SiteObjective::MaxCover)]
        objective: SiteObjective,
        /// p-median: candidates kept per client in the program; farther ones only bound it.
        #[arg(long, default_value_t = 10)]
        nearest: usize,
        #[arg(long, default_value = "ebike")]
        mode: TravelMode,
        #[arg(long, default_value_t = 15)]
        minutes: u32,
        /// Output folder.
        #[arg(long, default_value = "out/site")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SiteObjective {
    /// k sites covering the most clients.
    MaxCover,
    /// The fewest sites covering every client that can be covered.
    SetCover,
    /// k sites minimising the clients' total travel time to the nearest one.
    PMedian,
}

/// What every coverage command reads.
#[derive(ClapArgs)]
struct Common {
    /// The scenario with the stations and clients.
    #[arg(long)]
    scenario: PathBuf,
    /// OpenStreetMap extract (default: the scenario's "osm" field).
    #[arg(long)]
    pbf: Option<PathBuf>,
}

impl Common {
    fn load(&self, progress: &Progress) -> Result<(Scenario, RoadNetwork)> {
        let ProblemFile::Scenario { scenario, travel } = input::read_problem(&self.scenario)?
        else {
            anyhow::bail!("{}: coverage needs a scenario (JSON)", self.scenario.display());
        };
        // Service circles are areas on the roads: coverage needs the extract.
        let osm = travel.as_ref().and_then(input::TravelFile::osm);
        let pbf = station_plans::scenario_extract(self.pbf.as_deref(), osm)?;
        let network = input::load_network(Path::new(&pbf), &Mode::ALL, progress)?;
        Ok((scenario, network))
    }
}

fn check_minutes(minutes: u32) -> Result<()> {
    if !(1..=180).contains(&minutes) {
        anyhow::bail!("--minutes: {minutes} is not between 1 and 180");
    }
    Ok(())
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    match args.command {
        CoverageCommand::Circles { common, mode, minutes, out, threads } => {
            if let Some(m) = minutes {
                check_minutes(m)?;
            }
            let (scenario, network) = common.load(progress)?;
            let threads = threads.threads(progress);
            circles::run(&scenario, &network, (mode, minutes), threads, &out, progress)
        }
        CoverageCommand::Site {
            common,
            candidates,
            auto_candidates,
            k,
            objective,
            nearest,
            mode,
            minutes,
            out,
        } => {
            check_minutes(minutes)?;
            let (scenario, network) = common.load(progress)?;
            let request = site::Request {
                candidates: &candidates,
                auto_candidates,
                k,
                objective: match objective {
                    SiteObjective::MaxCover => Objective::MaxCover,
                    SiteObjective::SetCover => Objective::SetCover,
                    SiteObjective::PMedian => Objective::PMedian,
                },
                mode,
                minutes,
                nearest,
            };
            site::run(&scenario, &network, &request, &out, progress)
        }
    }
}
