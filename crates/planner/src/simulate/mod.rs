//! Staffing simulation for planners: how many caregivers does each station need? Days of
//! demand ([`demand`]) are planned station by station with the solver for a range of
//! staffing levels, and each level is judged by the package visits left unserved and the
//! share of urgent calls reached in time.

pub mod demand;

use crate::travel::TravelSource;
use crate::PlannerError;
use formats::scenario::{Caregiver, Scenario};
use serde::Serialize;
use solver::{Environment, MaxIterations};
use std::collections::HashSet;

use demand::Day;

/// One station at one staffing level, over all days.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LevelResult {
    pub station: String,
    pub caregivers: usize,
    pub days: usize,
    pub package_visits: usize,
    pub package_unserved: usize,
    pub urgent_calls: usize,
    pub urgent_reached: usize,
    /// Working time over the shift time of the caregivers on duty.
    pub utilisation: f64,
    /// Travel time over working time.
    pub travel_share: f64,
}

impl LevelResult {
    pub fn urgent_share(&self) -> f64 {
        if self.urgent_calls == 0 {
            1.0
        } else {
            self.urgent_reached as f64 / self.urgent_calls as f64
        }
    }
}

/// The station's caregivers at `level`: the scenario's own first, then copies of them (same
/// skills, shift and mode) when more are asked for than it has.
pub fn staff(own: &[&Caregiver], level: usize) -> Vec<Caregiver> {
    (0..level)
        .filter_map(|k| {
            let base = own.get(k % own.len().max(1))?;
            let mut c = (*base).clone();
            if k >= own.len() {
                c.id = format!("{}+{}", base.id, k / own.len());
            }
            Some(c)
        })
        .collect()
}

/// Plans every day of every station at every level, `threads` station-levels at once;
/// `on_level` hears each station-level result as it is done (from the thread that did it).
/// The results are in station order, then level order, whatever the threads.
pub fn run(
    scenario: &Scenario,
    source: &TravelSource,
    days: &[Day],
    levels: &[usize],
    iterations: u64,
    threads: usize,
    on_level: &(dyn Fn(&LevelResult) + Sync),
) -> Result<Vec<LevelResult>, PlannerError> {
    let mut work = Vec::new();
    for station in &scenario.stations {
        let own: Vec<&Caregiver> =
            scenario.caregivers.iter().filter(|c| c.station == station.id).collect();
        let has_clients = scenario.clients.iter().any(|c| c.station == station.id);
        if own.is_empty() || !has_clients {
            continue;
        }
        work.extend(levels.iter().map(|&level| (station, level)));
    }
    let results = crate::parallel::in_parallel(&work, threads, |&(station, level)| {
        let r = station_level(scenario, source, days, station, level, iterations)?;
        on_level(&r);
        Ok(r)
    });
    results.into_iter().collect()
}

/// Every day of one station at one staffing level.
fn station_level(
    scenario: &Scenario,
    source: &TravelSource,
    days: &[Day],
    station: &formats::scenario::Station,
    level: usize,
    iterations: u64,
) -> Result<LevelResult, PlannerError> {
    let own: Vec<&Caregiver> =
        scenario.caregivers.iter().filter(|c| c.station == station.id).collect();
    let clients: HashSet<&str> = scenario
        .clients
        .iter()
        .filter(|c| c.station == station.id)
        .map(|c| c.id.as_str())
        .collect();
    let mut r = LevelResult {
        station: station.id.clone(),
        caregivers: level,
        days: days.len(),
        package_visits: 0,
        package_unserved: 0,
        urgent_calls: 0,
        urgent_reached: 0,
        utilisation: 0.0,
        travel_share: 0.0,
    };
    let (mut working, mut shift, mut travel) = (0i64, 0i64, 0i64);
    for day in days {
        let visits: Vec<_> =
            day.visits.iter().filter(|v| clients.contains(v.client.as_str())).cloned().collect();
        let urgent: HashSet<&str> = day.urgent.iter().map(String::as_str).collect();
        let one_day = Scenario {
            name: format!("{}-day{}", scenario.name, day.index),
            stations: vec![station.clone()],
            caregivers: staff(&own, level),
            clients: scenario.clients.iter().filter(|c| c.station == station.id).cloned().collect(),
            visits,
            // Simulated days draw their own visits; links name the scenario's.
            links: Vec::new(),
            soft_costs: scenario.soft_costs,
            ..Scenario::default()
        };
        let station_day = one_day.station_day(&station.id)?;
        let travel_times = source.station_day(&station_day)?;
        let mut env = Environment::new(day.index as u64 + 1, MaxIterations(iterations));
        let plan = solver::solve(&station_day.problem, &travel_times.matrices, &mut env);
        let report = solver::check::check(&station_day.problem, &travel_times.matrices, &plan);
        if let Some(v) = report.violations.first() {
            return Err(PlannerError::Checker(v.to_string()));
        }
        let unserved: HashSet<&str> = plan.unassigned.iter().map(|u| u.visit.as_str()).collect();
        for v in &station_day.problem.visits {
            let served = !unserved.contains(v.id.as_str());
            if urgent.contains(v.id.as_str()) {
                r.urgent_calls += 1;
                r.urgent_reached += usize::from(served);
            } else {
                r.package_visits += 1;
                r.package_unserved += usize::from(!served);
            }
        }
        working += plan.kpis.working_time.0;
        travel += plan.kpis.travel_time.0;
        shift += station_day
            .problem
            .caregivers
            .iter()
            .map(|c| (c.shift.end - c.shift.start).0)
            .sum::<i64>();
    }
    r.utilisation = if shift > 0 { working as f64 / shift as f64 } else { 0.0 };
    r.travel_share = if working > 0 { travel as f64 / working as f64 } else { 0.0 };
    Ok(r)
}

/// Per station, the fewest caregivers that serve every package visit and reach at least
/// `urgent_target` of the urgent calls; `None` if no level tried does.
pub fn needed(results: &[LevelResult], urgent_target: f64) -> Vec<(String, Option<usize>)> {
    let mut stations: Vec<&str> = results.iter().map(|r| r.station.as_str()).collect();
    stations.dedup();
    stations
        .into_iter()
        .map(|s| {
            let enough = results
                .iter()
                .filter(|r| {
                    r.station == s && r.package_unserved == 0 && r.urgent_share() >= urgent_target
                })
                .map(|r| r.caregivers)
                .min();
            (s.to_string(), enough)
        })
        .collect()
}
