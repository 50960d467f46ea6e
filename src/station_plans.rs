//! A scenario is planned one station-day at a time (stations are the unit of dispatch); this
//! module prepares each station's problem on its travel source (roads, a matrix file or
//! straight lines), solves them in turn and merges the plans into one, and splits a merged
//! plan again for the checker.

use anyhow::{Context, Result};
use formats::scenario::{Scenario, StationDay};
use planner::parallel::in_parallel;
use planner::travel::{StationTravel, TravelSource};
use solver::check::{check, CheckReport};
use solver::{Environment, FirstOf, Kpis, MaxIterations, MaxRuntime, Plan};
use std::collections::HashSet;
use std::time::Duration;

use crate::input;
use crate::progress::Progress;

/// One station's day with its travel matrices.
pub struct PreparedStation {
    pub day: StationDay,
    pub travel: StationTravel,
}

/// The station-days of a scenario that have caregivers or visits, with their travel; the
/// travel of `threads` station-days is built at once.
pub fn prepare(
    scenario: &Scenario,
    source: &TravelSource,
    threads: usize,
    progress: &Progress,
) -> Result<Vec<PreparedStation>> {
    let mut days = Vec::new();
    for unit in scenario.plan_units() {
        let day = scenario.unit_day(&unit)?;
        if !(day.problem.visits.is_empty() && day.problem.caregivers.is_empty()) {
            days.push(day);
        }
    }
    let travel = in_parallel(&days, threads, |day| source.station_day(day));
    let mut prepared = Vec::new();
    for (day, travel) in days.into_iter().zip(travel) {
        let travel = travel?;
        let how = if source.has_paths() { "snapped" } else { "located" };
        progress.say(format!(
            "{}: {} visits, {} caregivers, {} points {how} ({})",
            unit_name(&day),
            day.problem.visits.len(),
            day.problem.caregivers.len(),
            day.points.len(),
            day.modes.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
        ));
        prepared.push(PreparedStation { day, travel });
    }
    Ok(prepared)
}

/// How long and how the search runs.
#[derive(Clone, Copy, Debug)]
pub struct SearchBudget {
    pub time_limit: Duration,
    pub max_iterations: Option<u64>,
    pub seed: u64,
    /// Threads: station-days planned at once, and the rest on one station-day's search.
    pub threads: usize,
}

impl SearchBudget {
    /// Stop at the time limit or the iteration limit, whichever comes first.
    pub fn stop(&self) -> FirstOf<MaxRuntime, MaxIterations> {
        FirstOf(
            MaxRuntime::new(self.time_limit),
            MaxIterations(self.max_iterations.unwrap_or(u64::MAX)),
        )
    }

    /// The search's surroundings for one problem on all the threads.
    pub fn environment<'a>(&self) -> Environment<'a> {
        Environment::new(self.seed, self.stop()).with_threads(self.threads)
    }
}

/// Solves every station-day, `budget.threads` at once (the largest first), and merges the
/// plans in station order; with more threads than station-days, each day's search runs on
/// its share of them. The time limit is the wall-clock wait for all of them: each
/// station-day gets its share of the threads' time in proportion to its visits (at most the
/// whole limit), and none runs past the limit. Each station-day is searched with the same
/// seed whatever thread takes it, so with `--iterations` the plan is the same at any number
/// of threads as long as each day has one. A KPI line per improvement goes to `progress`.
pub fn solve_all(
    name: &str,
    stations: &[PreparedStation],
    budget: SearchBudget,
    progress: &Progress,
) -> Plan {
    let started = std::time::Instant::now();
    let total_visits: usize = stations.iter().map(|s| s.day.problem.visits.len()).sum();
    let (threads, walks) = planner::parallel::split(budget.threads, stations.len());
    let limit_of = |s: &PreparedStation| {
        let share = if total_visits == 0 {
            0.0
        } else {
            s.day.problem.visits.len() as f64 / total_visits as f64
        };
        let wanted = budget.time_limit.mul_f64((share * threads as f64).min(1.0));
        wanted.min(budget.time_limit.saturating_sub(started.elapsed()))
    };
    let solve_one = |s: &PreparedStation| {
        let station = unit_name(&s.day);
        let iterations = MaxIterations(budget.max_iterations.unwrap_or(u64::MAX));
        // Improvements below a minute of travel look the same on the line: say each once.
        let mut last_line = String::new();
        let stop = FirstOf(MaxRuntime::new(limit_of(s)), iterations);
        let env = Environment::new(budget.seed, stop).with_threads(walks);
        let mut env = env.on_improvement(move |plan: &Plan| {
            let line = format!("{station}: {}", kpi_line(&plan.kpis));
            if line != last_line {
                progress.say(&line);
                last_line = line;
            }
        });
        solver::solve(&s.day.problem, &s.travel.matrices, &mut env)
    };
    // On several threads the largest station-days first, so that the last to start are the
    // shortest.
    let mut order: Vec<usize> = (0..stations.len()).collect();
    if threads > 1 {
        order.sort_by_key(|&i| std::cmp::Reverse(stations[i].day.problem.visits.len()));
    }
    let solved = in_parallel(&order, threads, |&i| solve_one(&stations[i]));
    let mut plans: Vec<Option<Plan>> = (0..stations.len()).map(|_| None).collect();
    for (&i, plan) in order.iter().zip(solved) {
        plans[i] = Some(plan);
    }
    merge(name, plans.into_iter().flatten().collect())
}

/// How progress lines name a plan unit: `station S1`, or `pool P1 (S1, S2)`.
pub fn unit_name(day: &StationDay) -> String {
    match day.stations.as_slice() {
        [one] if *one == day.station => format!("station {one}"),
        members => format!("pool {} ({})", day.station, members.join(", ")),
    }
}

/// One line of the figures a dispatcher looks at first.
pub fn kpi_line(k: &Kpis) -> String {
    format!(
        "served {}/{}, travel {}, {} caregivers, longest leg {}",
        k.visits_served,
        k.visits_total,
        crate::output::table::hm(k.travel_time.0),
        k.caregivers_used,
        crate::output::table::hm(k.longest_leg.0),
    )
}

/// Joins station plans into one plan of the scenario.
pub fn merge(name: &str, plans: Vec<Plan>) -> Plan {
    let mut merged = Plan { problem: name.to_string(), ..Plan::default() };
    let mut k = Kpis::default();
    let mut first = true;
    for plan in plans {
        let p = &plan.kpis;
        k.visits_total += p.visits_total;
        k.visits_served += p.visits_served;
        k.visits_unassigned += p.visits_unassigned;
        k.caregivers_used += p.caregivers_used;
        k.travel_time += p.travel_time;
        k.travel_distance += p.travel_distance;
        k.working_time += p.working_time;
        k.longest_leg = k.longest_leg.max(p.longest_leg);
        k.max_leg_limit = k.max_leg_limit.max(p.max_leg_limit);
        k.cost += p.cost;
        k.lateness_total += p.lateness_total;
        k.lateness_max = k.lateness_max.max(p.lateness_max);
        k.non_preferred_visits += p.non_preferred_visits;
        k.overtime += p.overtime;
        if let Some(m) = &p.meals {
            k.meals.get_or_insert_with(Default::default).add(m);
        }
        // Fairness is a station's matter: the scenario shows its extremes and the widest
        // station spread.
        let (f, g) = (&mut k.fairness, &p.fairness);
        if first {
            *f = *g;
        } else {
            f.working_min = f.working_min.min(g.working_min);
            f.working_max = f.working_max.max(g.working_max);
            f.working_spread = f.working_spread.max(g.working_spread);
            f.working_stddev = f.working_stddev.max(g.working_stddev);
            f.visits_min = f.visits_min.min(g.visits_min);
            f.visits_max = f.visits_max.max(g.visits_max);
        }
        first = false;
        merged.routes.extend(plan.routes);
        merged.unassigned.extend(plan.unassigned);
    }
    merged.kpis = k;
    merged
}

/// Checks a merged plan station by station (a pool as one), each report named as
/// [`unit_name`] names it. Routes and unassigned visits that belong to no station of the
/// scenario are reported as an error.
pub fn check_all(stations: &[PreparedStation], plan: &Plan) -> Result<Vec<(String, CheckReport)>> {
    let mut claimed_routes = HashSet::new();
    let mut claimed_unassigned = HashSet::new();
    let mut reports = Vec::new();
    for s in stations {
        let problem = &s.day.problem;
        let part = Plan {
            problem: problem.name.clone(),
            routes: plan
                .routes
                .iter()
                .filter(|r| problem.caregiver_idx(&r.caregiver).is_some())
                .cloned()
                .collect(),
            unassigned: plan
                .unassigned
                .iter()
                .filter(|u| problem.visit_idx(&u.visit).is_some())
                .cloned()
                .collect(),
            kpis: Kpis::default(),
        };
        claimed_routes.extend(part.routes.iter().map(|r| r.caregiver.clone()));
        claimed_unassigned.extend(part.unassigned.iter().map(|u| u.visit.clone()));
        reports.push((unit_name(&s.day), check(problem, &s.travel.matrices, &part)));
    }
    if let Some(r) = plan.routes.iter().find(|r| !claimed_routes.contains(&r.caregiver)) {
        anyhow::bail!("routes: caregiver {:?} is not in the scenario", r.caregiver);
    }
    if let Some(u) = plan.unassigned.iter().find(|u| !claimed_unassigned.contains(&u.visit)) {
        anyhow::bail!("unassigned: visit {:?} is not in the scenario", u.visit);
    }
    Ok(reports)
}

/// The extract a scenario is set on: `--pbf` wins over the scenario's `osm` field.
pub fn scenario_extract(
    flag: Option<&std::path::Path>,
    from_scenario: Option<&std::path::Path>,
) -> Result<std::path::PathBuf> {
    flag.or(from_scenario)
        .map(|p| p.to_path_buf())
        .context("the scenario names no OpenStreetMap extract (field \"osm\"); pass --pbf FILE")
}

/// Where the command's travel times come from: `--pbf` or `--matrix` (one of them) win over
/// the scenario's `osm` or `travel` field.
pub fn travel_source(
    flags: &input::TravelFlags,
    from_scenario: Option<&input::TravelFile>,
    progress: &Progress,
) -> Result<TravelSource> {
    let chosen = match (&flags.pbf, &flags.matrix) {
        (Some(_), Some(_)) => anyhow::bail!("--pbf and --matrix: give one travel source, not both"),
        (Some(pbf), None) => input::TravelFile::Osm(pbf.clone()),
        (None, Some(matrix)) => input::TravelFile::Matrix(matrix.clone()),
        (None, None) => from_scenario.cloned().context(
            "the scenario names no travel source (field \"osm\" or \"travel\"); pass --pbf FILE \
             or --matrix FILE",
        )?,
    };
    let source = match chosen {
        input::TravelFile::Osm(pbf) => TravelSource::Roads(std::sync::Arc::new(
            input::load_network(&pbf, &roads::Mode::ALL, progress)?,
        )),
        input::TravelFile::Matrix(path) => {
            TravelSource::Matrix(std::sync::Arc::new(input::read_matrix(&path, progress)?))
        }
        input::TravelFile::StraightLine(line) => TravelSource::StraightLine(line),
    };
    progress.say(format!("travel times: {}", source.describe()));
    Ok(source)
}
