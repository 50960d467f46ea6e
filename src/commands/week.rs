//! `carecircle week`: plans a scenario's care packages over a horizon, day after day, keeping
//! each client's caregivers from one day to the next where it can, and reports every client's
//! booked hours against the entitlement.

use anyhow::Result;
use clap::Args as ClapArgs;
use formats::care_package::{entitlements, expand_week, Entitlement};
use solver::Plan;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use super::solve::{seconds, ScenarioRun};
use crate::input::{self, ProblemFile};
use crate::output::chart::{line_chart, Series};
use crate::progress::Progress;
use crate::station_plans::{self, kpi_line, SearchBudget};

/// Usual caregivers kept per client: the ones who came most often so far.
const USUAL_KEPT: usize = 2;

#[derive(ClapArgs)]
#[command(
    about = "Plan a scenario's care packages over a week (or any horizon), day by day",
    long_about = "Expands the scenario's care packages (`packages`) into the visits of each day: \
fixed days as booked, flexible ones (for example cleaning twice a week on any weekdays) on \
evenly spaced days chosen where the station is least booked. Plans each day on the road \
network, the caregivers who served a client on earlier days becoming the client's preferred \
ones (continuity of care), checks every day's plan, and writes day-N.json plans, week.json \
(per-day figures, continuity, each client's booked hours against the monthly entitlement) and \
week.svg (the week's workload).",
    after_help = "Examples:\n  carecircle week out/county.json --days 7 --time-limit 60 --out out/week\n  carecircle week scenarios/demo.json --days 3 --first-weekday 4"
)]
pub struct Args {
    /// The scenario (JSON) with its `packages`.
    scenario: PathBuf,
    /// Days in the horizon.
    #[arg(long, default_value_t = 7)]
    days: usize,
    /// Day of the week of the first day: 0 (Monday) to 6 (Sunday).
    #[arg(long, default_value_t = 0)]
    first_weekday: u8,
    /// Seconds per day (roads, matrices and search, shared by the stations).
    #[arg(long, default_value_t = 30.0)]
    time_limit: f64,
    /// Also stop each station-day's search after this many iterations (for reproducible
    /// runs).
    #[arg(long)]
    iterations: Option<u64>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder.
    #[arg(long, default_value = "out/week")]
    out: PathBuf,
    #[command(flatten)]
    travel: input::TravelFlags,
    #[command(flatten)]
    threads: input::ThreadFlags,
}

#[derive(serde::Serialize)]
struct DaySummary {
    day: usize,
    weekday: u8,
    visits: usize,
    served: usize,
    caregivers_used: usize,
    travel_time: i64,
    non_preferred_visits: usize,
    /// Visits no caregiver may ever serve (skills, gender, refusal, capacity).
    never_servable: usize,
    longest_leg: i64,
    max_leg_limit: Option<i64>,
    overtime: i64,
    working_spread: i64,
    /// Planning time of the day: roads, matrices, search and checks.
    wall_seconds: f64,
}

#[derive(serde::Serialize)]
struct WeekSummary {
    days: Vec<DaySummary>,
    /// Clients with visits, and how many of them saw a single caregiver all week (two-caregiver
    /// visits count their main caregiver).
    clients_served: usize,
    clients_with_one_caregiver: usize,
    /// Mean number of different caregivers per client served.
    caregivers_per_client: f64,
    entitlements: Vec<Entitlement>,
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    if !(1..=62).contains(&args.days) {
        anyhow::bail!("--days: {} is not between 1 and 62", args.days);
    }
    if args.first_weekday > 6 {
        anyhow::bail!("--first-weekday: {} is not 0 (Monday) to 6 (Sunday)", args.first_weekday);
    }
    let ProblemFile::Scenario { scenario, travel } = input::read_problem(&args.scenario)? else {
        anyhow::bail!("{}: a week plan needs a scenario (JSON)", args.scenario.display());
    };
    let source = station_plans::travel_source(&args.travel, travel.as_ref(), progress)?;
    let threads = args.threads.threads(progress);
    let days = expand_week(&scenario, args.days, args.first_weekday);
    // client -> caregiver -> visits served, over the days planned so far
    let mut seen: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut served: Vec<(String, i64)> = Vec::new();
    let mut summaries = Vec::new();
    for day in &days {
        let mut visits = day.visits.clone();
        for v in &mut visits {
            if v.preferred.is_empty() {
                v.preferred = usual(seen.get(&v.client));
            }
        }
        let today = formats::scenario::Scenario {
            name: format!("{}-day{}", scenario.name, day.index + 1),
            visits,
            links: day.links.clone(),
            packages: Vec::new(),
            ..scenario.clone()
        };
        progress.say(format!(
            "day {} (weekday {}): {} visits",
            day.index + 1,
            day.weekday,
            today.visits.len()
        ));
        let budget = SearchBudget {
            time_limit: seconds(args.time_limit)?,
            max_iterations: args.iterations,
            seed: args.seed + day.index as u64,
            threads,
        };
        let started = std::time::Instant::now();
        let run = ScenarioRun::solve(&today, &source, budget, progress)?;
        let wall_seconds = started.elapsed().as_secs_f64();
        run.write(&args.out.join(format!("day-{}.json", day.index + 1)), progress)?;
        progress.say(format!("day {}: {}", day.index + 1, kpi_line(&run.plan.kpis)));
        record(&today, &run.plan, &mut seen, &mut served);
        summaries.push(DaySummary {
            day: day.index + 1,
            weekday: day.weekday,
            visits: run.plan.kpis.visits_total,
            served: run.plan.kpis.visits_served,
            caregivers_used: run.plan.kpis.caregivers_used,
            travel_time: run.plan.kpis.travel_time.0,
            non_preferred_visits: run.plan.kpis.non_preferred_visits,
            never_servable: run.plan.unassigned.iter().filter(|u| u.reason.is_hopeless()).count(),
            longest_leg: run.plan.kpis.longest_leg.0,
            max_leg_limit: run.plan.kpis.max_leg_limit.map(|l| l.0),
            overtime: run.plan.kpis.overtime.0,
            working_spread: run.plan.kpis.fairness.working_spread.0,
            wall_seconds,
        });
    }
    let clients_served = seen.len();
    let single = seen.values().filter(|c| c.len() == 1).count();
    let per_client =
        seen.values().map(|c| c.len()).sum::<usize>() as f64 / clients_served.max(1) as f64;
    let week = WeekSummary {
        days: summaries,
        clients_served,
        clients_with_one_caregiver: single,
        caregivers_per_client: per_client,
        entitlements: entitlements(&scenario, args.days, &served),
    };
    input::write_json(&args.out.join("week.json"), &week)?;
    input::write_text(&args.out.join("week.svg"), &chart(&week))?;
    print!("{}", table(&week));
    println!("written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The caregivers who came most often (ties by id), at most [`USUAL_KEPT`].
fn usual(history: Option<&BTreeMap<String, usize>>) -> Vec<String> {
    let Some(h) = history else { return Vec::new() };
    let mut by_count: Vec<(&String, &usize)> = h.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    by_count.into_iter().take(USUAL_KEPT).map(|(c, _)| c.clone()).collect()
}

/// Books the day's served visits: who served which client, and the service seconds.
fn record(
    day: &formats::scenario::Scenario,
    plan: &Plan,
    seen: &mut BTreeMap<String, BTreeMap<String, usize>>,
    served: &mut Vec<(String, i64)>,
) {
    let helpers: BTreeSet<&str> = day.links.iter().map(|l| l.second.as_str()).collect();
    let client_of: BTreeMap<&str, &str> =
        day.visits.iter().map(|v| (v.id.as_str(), v.client.as_str())).collect();
    for r in &plan.routes {
        for s in &r.stops {
            let Some(&client) = client_of.get(s.visit.as_str()) else { continue };
            served.push((client.to_string(), (s.end - s.start).0));
            if !helpers.contains(s.visit.as_str()) {
                *seen
                    .entry(client.to_string())
                    .or_default()
                    .entry(r.caregiver.clone())
                    .or_default() += 1;
            }
        }
    }
}

fn table(w: &WeekSummary) -> String {
    let hm = crate::output::table::hm;
    let mut out = String::from(
        "day  weekday  visits  served  servable %  caregivers  travel  longest/limit  off-continuity  overtime  spread  wall s\n",
    );
    for d in &w.days {
        let servable = d.visits - d.never_servable;
        out += &format!(
            "{:>3}  {:>7}  {:>6}  {:>6}  {:>10.2}  {:>10}  {:>6}  {:>13}  {:>14}  {:>8}  {:>6}  {:>6.1}\n",
            d.day,
            d.weekday,
            d.visits,
            d.served,
            100.0 * d.served as f64 / servable.max(1) as f64,
            d.caregivers_used,
            hm(d.travel_time),
            format!("{}/{}", hm(d.longest_leg), d.max_leg_limit.map(hm).unwrap_or("-".into())),
            d.non_preferred_visits,
            hm(d.overtime),
            hm(d.working_spread),
            d.wall_seconds
        );
    }
    out += &format!(
        "week: {} visits, {} served, planned in {:.1} s\n",
        w.days.iter().map(|d| d.visits).sum::<usize>(),
        w.days.iter().map(|d| d.served).sum::<usize>(),
        w.days.iter().map(|d| d.wall_seconds).sum::<f64>()
    );
    let with_entitlement: Vec<&Entitlement> =
        w.entitlements.iter().filter(|e| e.entitled_hours.is_some()).collect();
    let under = with_entitlement
        .iter()
        .filter(|e| e.booked_hours + 1e-9 < e.entitled_hours.unwrap_or(0.0))
        .count();
    out += &format!(
        "clients served {}, with one caregiver all week {} ({:.1} %), {:.2} caregivers per client\n",
        w.clients_served,
        w.clients_with_one_caregiver,
        100.0 * w.clients_with_one_caregiver as f64 / w.clients_served.max(1) as f64,
        w.caregivers_per_client
    );
    out += &format!(
        "clients with an entitlement {}, booked below it {}\n",
        with_entitlement.len(),
        under
    );
    out
}

/// Visits booked and served, and caregivers used, per day.
fn chart(w: &WeekSummary) -> String {
    let series = |label, f: &dyn Fn(&DaySummary) -> usize| Series {
        label,
        points: w.days.iter().map(|d| (d.day as f64, f(d) as f64)).collect(),
    };
    line_chart(
        "The week's workload",
        "day",
        "count",
        &[
            series("visits booked", &|d| d.visits),
            series("visits served", &|d| d.served),
            series("caregivers used", &|d| d.caregivers_used),
            series("visits off continuity", &|d| d.non_preferred_visits),
        ],
        None,
    )
}
