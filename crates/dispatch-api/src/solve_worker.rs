//! Planning a station's day in the background: the solver runs on a blocking thread (never
//! on the async workers); each improving plan is checked and stored as a version with an
//! event of the station (which wakes the plan's subscribers on every replica), and the final
//! plan closes the plan. A running plan's replica marks it alive every few seconds; a plan
//! whose replica stopped marking it is failed by any replica.

use crate::app::AppState;
use crate::bus::Wake;
use crate::date::PlanDate;
use crate::error::AppError;
use crate::live;
use crate::station_day;
use crate::store::{PlanStatus, VersionRow};
use crate::travel::{self, StationSource};
use formats::scenario::Scenario;
use serde_json::json;
use solver::check::check;
use solver::{CancelToken, Environment, MaxRuntime, Plan};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

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
/// and open orders, queued for a core, and starts solving it; returns the plan id at once, or
/// `Err(id)` when plan `id` of the day is queued or running already (one solve per day, on
/// every replica).
pub async fn start(
    state: &AppState,
    station_id: &str,
    date: &PlanDate,
    time_limit: Duration,
) -> Result<Result<i64, i64>, AppError> {
    let (scenario, _) = station_day::scenario(state, station_id, date, false).await?;
    let solved: Vec<String> = scenario.visits.iter().map(|v| v.id.clone()).collect();
    // The solve keeps this source (a matrix version) even if a new one is uploaded meanwhile.
    let source = travel::of_station(state, station_id).await?;
    let mut change = state.store.change(station_id).await?;
    let plan_id = match change.create_plan(date, &source.label).await? {
        Ok(id) => id,
        Err(busy) => return Ok(Err(busy)),
    };
    change.commit().await?;
    let state = state.clone();
    let (station_id, date) = (station_id.to_string(), date.clone());
    tokio::spawn(async move {
        let cancel = CancelToken::new();
        let watch = watch(state.clone(), plan_id, &station_id, cancel.clone());
        let outcome =
            run(&state, plan_id, scenario, source, &station_id, (time_limit, &cancel)).await;
        watch.abort();
        let (status, error) = match &outcome {
            Ok(true) => (PlanStatus::Done, None),
            Ok(false) => return, // cancelled (or failed as abandoned): it has its end
            Err(e) => (PlanStatus::Failed, Some(e.to_string())),
        };
        let event = json!({"plan": plan_id, "date": date, "status": status, "error": error});
        let finish = async {
            let mut change = state.store.change(&station_id).await?;
            if change.move_plan(plan_id, status, error.as_deref()).await? {
                change.event("plan_finished", &event).await?;
                change.commit().await?;
            }
            Ok::<_, AppError>(())
        };
        if let Err(e) = finish.await {
            tracing::error!(plan = plan_id, error = %e, "cannot record the end of a plan");
        }
        if status == PlanStatus::Done {
            catch_up(&state, &station_id, &date, &solved).await;
        }
    });
    Ok(Ok(plan_id))
}

/// How often a running plan is marked alive by its replica.
pub const ALIVE_EVERY: Duration = Duration::from_secs(5);
/// How long a running plan may go unmarked before any replica fails it.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(30);

/// While a plan is queued or solved here: marks it alive every [`ALIVE_EVERY`], and stops its
/// search as soon as it ends elsewhere (cancelled on any replica: its station's stream says
/// so, or the next mark finds it).
fn watch(
    state: AppState,
    plan_id: i64,
    station: &str,
    cancel: CancelToken,
) -> tokio::task::JoinHandle<()> {
    let station = station.to_string();
    tokio::spawn(async move {
        let mut wake = state.store.event_wakeups();
        let mut every = tokio::time::interval(ALIVE_EVERY);
        loop {
            tokio::select! {
                _ = every.tick() => {
                    if let Err(e) = state.store.keep_alive(plan_id).await {
                        tracing::warn!(plan = plan_id, error = %e, "cannot mark a plan alive");
                    }
                }
                woke = wake.recv() => match woke {
                    Ok(Wake::Events(s)) if s != station => continue,
                    Ok(Wake::TokensRevoked) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                },
            }
            if let Ok(Some(row)) = state.store.plan(plan_id).await {
                if row.status.is_finished() {
                    cancel.cancel();
                    return;
                }
            }
        }
    })
}

/// Fails the plans whose replica stopped marking them alive and tells their stations; safe on
/// every replica at once (each plan is failed by one).
pub async fn fail_abandoned(state: &AppState) -> Result<usize, AppError> {
    let before = crate::store::now_ms() - ABANDONED_AFTER.as_millis() as i64;
    let failed = state.store.fail_abandoned_plans(before).await?;
    for (plan, station, date) in &failed {
        tracing::warn!(plan, %station, %date, "plan abandoned by a stopped service: failed");
        let event = json!({"plan": plan, "date": date, "status": PlanStatus::Failed,
                           "error": "abandoned: the service solving it stopped"});
        state.store.append_event(station, "plan_finished", &event).await?;
    }
    Ok(failed.len())
}

/// Runs [`fail_abandoned`] every [`ALIVE_EVERY`].
pub fn spawn_reaper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(ALIVE_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = fail_abandoned(&state).await {
                tracing::warn!(error = %e, "cannot look for abandoned plans");
            }
        }
    })
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

/// Solves the plan when its turn comes; `Ok(true)` when its final version is stored,
/// `Ok(false)` when it was cancelled (nothing is stored after the cancel).
async fn run(
    state: &AppState,
    plan_id: i64,
    scenario: Scenario,
    source: StationSource,
    station: &str,
    (limit, cancel): (Duration, &CancelToken),
) -> Result<bool, AppError> {
    let (versions_tx, mut versions_rx) = mpsc::unbounded_channel::<Plan>();
    let travel = state.travel.clone();
    // Never closed, so the turn always comes.
    let turn = state.solve_cores.turns.acquire().await;
    // Running from its turn on, unless it was cancelled while it waited.
    let mut change = state.store.change(station).await?;
    let running = change.move_plan(plan_id, PlanStatus::Running, None).await?;
    change.commit().await?;
    if !running {
        return Ok(false);
    }
    let threads = state.solve_cores.threads;
    let stop = cancel.clone();
    let solve = tokio::task::spawn_blocking(move || -> Result<Plan, AppError> {
        let day = travel.day_problem(&source, &scenario)?;
        let (problem, matrices) = (&day.day.problem, &day.travel.matrices);
        let env = Environment::new(plan_id as u64, MaxRuntime::new(limit))
            .with_threads(threads)
            .with_cancel(stop);
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
        if cancel.is_cancelled() {
            continue; // drained, never stored
        }
        seq += 1;
        let mut change = state.store.change(station).await?;
        if !change.add_version(plan_id, &version(seq, &plan, false)?).await? {
            cancel.cancel();
            continue;
        }
        let event = json!({"plan": plan_id, "seq": seq, "kpis": plan.kpis});
        change.event("plan_improved", &event).await?;
        change.commit().await?;
    }
    let plan =
        solve.await.map_err(|e| AppError::Internal(format!("the solver stopped: {e}")))??;
    drop(turn);
    if cancel.is_cancelled() {
        return Ok(false);
    }
    let mut change = state.store.change(station).await?;
    let stored = change.add_version(plan_id, &version(seq + 1, &plan, true)?).await?;
    change.commit().await?;
    Ok(stored)
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
