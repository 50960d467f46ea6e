//! Planning a station's day in the background: the solver runs on a blocking thread (never
//! on the async workers); each improving plan is checked, stored as a version and announced
//! to the plan's subscribers, and the final plan closes the plan.

use crate::app::AppState;
use crate::date::PlanDate;
use crate::error::AppError;
use crate::live;
use crate::station_day;
use crate::store::{PlanStatus, VersionRow};
use crate::travel::{self, StationSource};
use formats::scenario::Scenario;
use serde_json::json;
use solver::check::check;
use solver::{Environment, MaxRuntime, Plan};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// What subscribers of a running plan hear; they read the versions themselves from the store,
/// so a slow subscriber that misses notifications loses nothing.
#[derive(Clone, Copy, Debug)]
pub enum PlanEvent {
    Version(i64),
    Finished,
}

/// The notification channels of the plans running in this process.
#[derive(Debug, Default)]
pub struct PlanChannels(Mutex<HashMap<i64, broadcast::Sender<PlanEvent>>>);

impl PlanChannels {
    fn open(&self, plan_id: i64) {
        let (tx, _) = broadcast::channel(64);
        if let Ok(mut map) = self.0.lock() {
            map.insert(plan_id, tx);
        }
    }

    fn send(&self, plan_id: i64, event: PlanEvent) {
        if let Ok(map) = self.0.lock() {
            if let Some(tx) = map.get(&plan_id) {
                // Nobody listening is fine.
                let _ = tx.send(event);
            }
        }
    }

    fn close(&self, plan_id: i64) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&plan_id);
        }
    }

    /// A receiver for a running plan; `None` once it has finished.
    pub fn subscribe(&self, plan_id: i64) -> Option<broadcast::Receiver<PlanEvent>> {
        self.0.lock().ok()?.get(&plan_id).map(|tx| tx.subscribe())
    }
}

/// The cores the service's solves may use: each solve searches on `threads` threads, and no
/// more solves run at once than fit in the machine's cores less one, kept for requests (at
/// least one solve runs). A solve waits for its turn before its time limit starts.
#[derive(Debug)]
pub struct SolveCores {
    pub threads: usize,
    pub at_once: usize,
    turns: tokio::sync::Semaphore,
}

impl SolveCores {
    pub fn new(threads: usize, cores: usize) -> SolveCores {
        let threads = threads.max(1);
        let at_once = (cores.saturating_sub(1) / threads).max(1);
        SolveCores { threads, at_once, turns: tokio::sync::Semaphore::new(at_once) }
    }
}

/// Creates a plan of `station`'s day from its stored caregivers (less the absent), clients
/// and open orders and starts solving it; returns the plan id at once.
pub async fn start(
    state: &AppState,
    station_id: &str,
    date: &PlanDate,
    time_limit: Duration,
) -> Result<i64, AppError> {
    let (scenario, _) = station_day::scenario(state, station_id, date, false).await?;
    let solved: Vec<String> = scenario.visits.iter().map(|v| v.id.clone()).collect();
    // The solve keeps this source (a matrix version) even if a new one is uploaded meanwhile.
    let source = travel::of_station(state, station_id).await?;
    let plan_id = state.store.create_plan(station_id, date, &source.label).await?;
    state.plans.open(plan_id);
    let state = state.clone();
    let (station_id, date) = (station_id.to_string(), date.clone());
    tokio::spawn(async move {
        let outcome = run(&state, plan_id, scenario, source, &station_id, time_limit).await;
        let (status, error) = match &outcome {
            Ok(()) => (PlanStatus::Done, None),
            Err(e) => (PlanStatus::Failed, Some(e.to_string())),
        };
        let event = json!({"plan": plan_id, "date": date, "status": status, "error": error});
        let finish = async {
            let mut change = state.store.change(&station_id).await?;
            change.finish_plan(plan_id, status, error.as_deref()).await?;
            change.event("plan_finished", &event).await?;
            change.commit().await
        };
        if let Err(e) = finish.await {
            tracing::error!(plan = plan_id, error = %e, "cannot record the end of a plan");
        }
        state.plans.send(plan_id, PlanEvent::Finished);
        state.plans.close(plan_id);
        if outcome.is_ok() {
            catch_up(&state, &station_id, &date, &solved).await;
        }
    });
    Ok(plan_id)
}

/// Orders that came, went or changed while the day was being solved are re-planned into it.
async fn catch_up(state: &AppState, station: &str, date: &PlanDate, solved: &[String]) {
    let open = match state.store.open_orders(station, date).await {
        Ok(open) => open,
        Err(e) => return tracing::error!(%station, error = %e, "cannot read orders after a plan"),
    };
    let same = open.len() == solved.len() && open.iter().zip(solved).all(|(o, s)| &o.id == s);
    if !same {
        if let Err(e) = live::replan_day(state, station, date, "catch-up").await {
            tracing::error!(%station, error = %e, "cannot re-plan the orders that came during a plan");
        }
    }
}

fn version(seq: i64, plan: &Plan, is_final: bool) -> Result<VersionRow, AppError> {
    Ok(VersionRow {
        seq,
        kpis: serde_json::to_value(&plan.kpis)?,
        plan: serde_json::to_value(plan)?,
        is_final,
    })
}

async fn run(
    state: &AppState,
    plan_id: i64,
    scenario: Scenario,
    source: StationSource,
    station: &str,
    limit: Duration,
) -> Result<(), AppError> {
    let (versions_tx, mut versions_rx) = mpsc::unbounded_channel::<Plan>();
    let travel = state.travel.clone();
    // Never closed, so the turn always comes.
    let turn = state.solve_cores.turns.acquire().await;
    let threads = state.solve_cores.threads;
    let solve = tokio::task::spawn_blocking(move || -> Result<Plan, AppError> {
        let day = travel.day_problem(&source, &scenario)?;
        let (problem, matrices) = (&day.day.problem, &day.travel.matrices);
        let env = Environment::new(plan_id as u64, MaxRuntime::new(limit)).with_threads(threads);
        let mut env = env.on_improvement(|plan: &Plan| {
            // Only plans the independent checker accepts reach anyone.
            if check(problem, matrices, plan).is_feasible() {
                let _ = versions_tx.send(plan.clone());
            }
        });
        let plan = solver::solve(problem, matrices, &mut env);
        let report = check(problem, matrices, &plan);
        match report.violations.first() {
            None => Ok(plan),
            Some(v) => {
                Err(AppError::Internal(format!("the plan failed the independent checker: {v}")))
            }
        }
    });
    let mut seq = 0;
    while let Some(plan) = versions_rx.recv().await {
        seq += 1;
        let mut change = state.store.change(station).await?;
        change.add_version(plan_id, &version(seq, &plan, false)?).await?;
        change
            .event("plan_improved", &json!({"plan": plan_id, "seq": seq, "kpis": plan.kpis}))
            .await?;
        change.commit().await?;
        state.plans.send(plan_id, PlanEvent::Version(seq));
    }
    let plan =
        solve.await.map_err(|e| AppError::Internal(format!("the solver stopped: {e}")))??;
    drop(turn);
    let mut change = state.store.change(station).await?;
    change.add_version(plan_id, &version(seq + 1, &plan, true)?).await?;
    change.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::SolveCores;

    #[test]
    fn solves_leave_a_core_for_requests() {
        for (threads, cores, at_once) in
            [(1, 2, 1), (1, 8, 7), (2, 8, 3), (3, 8, 2), (4, 2, 1), (1, 1, 1)]
        {
            let c = SolveCores::new(threads, cores);
            assert_eq!(
                (c.threads, c.at_once),
                (threads, at_once),
                "{threads} threads, {cores} cores"
            );
            assert_eq!(c.turns.available_permits(), at_once);
        }
    }
}
