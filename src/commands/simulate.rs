//! `carecircle simulate`: how many caregivers each station needs, over weeks of demand.

use anyhow::Result;
use clap::Args as ClapArgs;
use serde::Serialize;
use solver::Seconds;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::input::{self, ProblemFile};
use crate::output::chart::{line_chart, Series};
use crate::output::png;
use crate::progress::Progress;
use crate::station_plans;
use planner::simulate::{self, demand, LevelResult};

#[derive(ClapArgs)]
#[command(
    about = "Staffing simulation: the caregivers each station needs over weeks of demand",
    long_about = "Plans every day of every station with the solver for a range of staffing levels. \
Demand: the scenario's visits recur as care packages (meals and personal care daily, cleaning twice \
a week, bathing and escorts weekly) plus urgent one-tap calls at --urgent-rate per client per day, \
each to be reached within --urgent-minutes. Reports per station the fewest caregivers that serve \
every package visit and reach --urgent-target of the urgent calls; writes simulation.json and charts \
(utilisation, unserved visits, travel share; SVG and PNG).",
    after_help = "Examples:\n  carecircle simulate --scenario scenarios/demo.json --weeks 1 --seed 1\n  carecircle simulate --scenario scenarios/demo.json --weeks 4 --levels 4,6,8,10 --urgent-rate 0.05"
)]
pub struct Args {
    #[arg(long)]
    scenario: PathBuf,
    #[arg(long, default_value_t = 1)]
    weeks: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Caregivers per station to try, e.g. 4,6,8 (default: 50 % to 150 % of the scenario's).
    #[arg(long, value_delimiter = ',')]
    levels: Vec<usize>,
    /// Urgent calls per client per day.
    #[arg(long, default_value_t = 0.02)]
    urgent_rate: f64,
    /// An urgent call must be reached within this many minutes.
    #[arg(long, default_value_t = 60)]
    urgent_minutes: u32,
    /// Share of urgent calls that must be reached in time.
    #[arg(long, default_value_t = 0.95)]
    urgent_target: f64,
    /// Search iterations per station-day (deterministic; more is slower and better).
    #[arg(long, default_value_t = 1500)]
    iterations: u64,
    #[command(flatten)]
    travel: input::TravelFlags,
    #[command(flatten)]
    threads: input::ThreadFlags,
    #[arg(long, default_value = "out/simulate")]
    out: PathBuf,
}

#[derive(Serialize)]
struct Report<'a> {
    scenario: &'a str,
    weeks: usize,
    seed: u64,
    urgent_rate: f64,
    urgent_minutes: u32,
    urgent_target: f64,
    levels: &'a [LevelResult],
    needed: Vec<(String, Option<usize>)>,
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    if args.weeks == 0 || args.weeks > 52 {
        anyhow::bail!("--weeks: {} is not between 1 and 52", args.weeks);
    }
    if !(0.0..=1.0).contains(&args.urgent_rate) {
        anyhow::bail!("--urgent-rate: {} is not a share between 0 and 1", args.urgent_rate);
    }
    if !(0.0..=1.0).contains(&args.urgent_target) {
        anyhow::bail!("--urgent-target: {} is not a share between 0 and 1", args.urgent_target);
    }
    if !(1..=24 * 60).contains(&args.urgent_minutes) {
        anyhow::bail!("--urgent-minutes: {} is not between 1 and 1440", args.urgent_minutes);
    }
    if let Some(bad) = args.levels.iter().find(|&&l| l == 0 || l > 500) {
        anyhow::bail!("--levels: {bad} is not a number of caregivers between 1 and 500");
    }
    let ProblemFile::Scenario { scenario, travel } = input::read_problem(&args.scenario)? else {
        anyhow::bail!("{}: the simulation needs a scenario (JSON)", args.scenario.display());
    };
    let source = station_plans::travel_source(&args.travel, travel.as_ref(), progress)?;
    let levels =
        if args.levels.is_empty() { default_levels(&scenario) } else { args.levels.clone() };
    let model = demand::DemandModel {
        urgent_rate: args.urgent_rate,
        urgent_reach: Seconds(i64::from(args.urgent_minutes) * 60),
        urgent_duration: Seconds(30 * 60),
    };
    let days = demand::days(&scenario, &model, 7 * args.weeks, args.seed);
    progress.say(format!(
        "{} days, {} visits in all, staffing levels {:?}",
        days.len(),
        days.iter().map(|d| d.visits.len()).sum::<usize>(),
        levels
    ));
    let results = simulate::run(
        &scenario,
        &source,
        &days,
        &levels,
        args.iterations,
        args.threads.threads(progress),
        &|r: &LevelResult| {
            progress.say(format!(
                "station {} with {} caregivers: {} of {} package visits unserved, {} of {} urgent calls reached, utilisation {:.0} %",
                r.station,
                r.caregivers,
                r.package_unserved,
                r.package_visits,
                r.urgent_reached,
                r.urgent_calls,
                100.0 * r.utilisation
            ));
        },
    )?;
    let report = Report {
        scenario: &scenario.name,
        weeks: args.weeks,
        seed: args.seed,
        urgent_rate: args.urgent_rate,
        urgent_minutes: args.urgent_minutes,
        urgent_target: args.urgent_target,
        levels: &results,
        needed: simulate::needed(&results, args.urgent_target),
    };
    print_report(&report);
    write_outputs(&report, &args.out)?;
    Ok(ExitCode::SUCCESS)
}

/// 50 % to 150 % of the largest station's caregivers, in five steps.
fn default_levels(scenario: &formats::scenario::Scenario) -> Vec<usize> {
    let most = scenario
        .stations
        .iter()
        .map(|s| scenario.caregivers.iter().filter(|c| c.station == s.id).count())
        .max()
        .unwrap_or(1)
        .max(1);
    let mut levels: Vec<usize> = [0.5, 0.75, 1.0, 1.25, 1.5]
        .iter()
        .map(|f| ((most as f64 * f).round() as usize).max(1))
        .collect();
    levels.dedup();
    levels
}

fn print_report(r: &Report) {
    println!(
        "staffing simulation of {}: {} week(s), seed {}, urgent calls {} per client per day within {} min",
        r.scenario, r.weeks, r.seed, r.urgent_rate, r.urgent_minutes
    );
    println!(
        "  {:<8} {:>10} {:>18} {:>16} {:>12} {:>12}",
        "station",
        "caregivers",
        "package unserved",
        "urgent reached",
        "utilisation",
        "travel share"
    );
    for l in r.levels {
        println!(
            "  {:<8} {:>10} {:>10} of {:<5} {:>8} of {:<5} {:>11.0}% {:>11.0}%",
            l.station,
            l.caregivers,
            l.package_unserved,
            l.package_visits,
            l.urgent_reached,
            l.urgent_calls,
            100.0 * l.utilisation,
            100.0 * l.travel_share
        );
    }
    for (station, n) in &r.needed {
        match n {
            Some(n) => println!(
                "  station {station} needs {n} caregivers (every package visit served, ≥ {:.0} % of urgent calls reached)",
                100.0 * r.urgent_target
            ),
            None => println!("  station {station}: no level tried is enough; try more caregivers"),
        }
    }
}

fn write_outputs(r: &Report, out: &Path) -> Result<()> {
    let json_path = out.join("simulation.json");
    input::write_json(&json_path, r)?;
    println!("  wrote {}", json_path.display());
    let mut stations: Vec<&str> = r.levels.iter().map(|l| l.station.as_str()).collect();
    stations.dedup();
    let series = |f: &dyn Fn(&LevelResult) -> f64| -> Vec<Series> {
        stations
            .iter()
            .map(|s| Series {
                label: s,
                points: r
                    .levels
                    .iter()
                    .filter(|l| l.station == *s)
                    .map(|l| (l.caregivers as f64, f(l)))
                    .collect(),
            })
            .collect()
    };
    let charts = [
        (
            "utilisation",
            "Utilisation (working time / shift time)",
            series(&|l| l.utilisation),
            Some(1.0),
        ),
        ("unserved", "Package visits left unserved", series(&|l| l.package_unserved as f64), None),
        ("travel-share", "Travel share of working time", series(&|l| l.travel_share), Some(1.0)),
        (
            "urgent",
            "Urgent calls reached in time (share)",
            series(&|l| l.urgent_share()),
            Some(1.0),
        ),
    ];
    for (name, title, s, y_max) in charts {
        let svg = line_chart(title, "caregivers per station", "", &s, y_max);
        let svg_path = out.join(format!("{name}.svg"));
        input::write_text(&svg_path, &svg)?;
        png::write_png(&svg, &svg_path.with_extension("png"))?;
        println!("  wrote {} (and .png)", svg_path.display());
    }
    Ok(())
}
