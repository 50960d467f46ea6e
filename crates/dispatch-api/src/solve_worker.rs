//! Solving plans through the solve queue. A request stores a queued plan and pushes its job
//! (`queue`); workers take jobs — in the serving process (the embedded default) or in
//! `carecircle worker` processes — claim the plan's lease (`store::leases`), solve it on a
//! blocking thread, and store each improving plan the independent checker accepts as a
//! version under the lease, with an event of the station (which wakes the plan's
//! subscribers on every replica). A worker renews its lease while it solves and stops as soon
//! as the lease is lost (the plan was cancelled anywhere, or taken back from it); a worker
//! told to stop lets its jobs finish within a grace period, then hands them back.
//!
//! Every process also keeps the queue whole ([`spawn_upkeep`]): leases unrenewed for a while
//! are taken back (the plan queued again, or failed after a few attempts) and queued plans not
//! on the queue (their pusher stopped in between) are pushed.

use crate::app::AppState;
use crate::bus::Wake;
use crate::date::PlanDate;
use crate::error::AppError;
use crate::live;
use crate::queue::{Job, Receipt, Taken, Undecodable, Work};
use crate::station_day;
use crate::store::{now_ms, Claimed, Lease, PlanRow, PlanStatus, VersionRow, RENEW_EVERY};
use crate::travel;
use serde_json::json;
use solver::check::check;
use solver::{CancelToken, Environment, MaxRuntime, Plan};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, watch, Semaphore};
use tokio::task::JoinSet;

/// The cores a process's solves may use: each solve searches on `threads` threads and at most
/// `at_once` run together, so threads × solves stay within the machine's cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolveCores {
    pub threads: usize,
    pub at_once: usize,
}

impl SolveCores {
    /// The serving process: one core stays for requests (at least one solve runs).
    pub fn new(threads: usize, cores: usize) -> SolveCores {
        let threads = threads.max(1);
        SolveCores { threads, at_once: (cores.saturating_sub(1) / threads).max(1) }
    }

    /// A worker process: `concurrency` solves (default: as many as fit) of `threads` threads;
    /// `Err` names the reason when they would not fit in `cores`.
    pub fn for_worker(
        threads: usize,
        concurrency: Option<usize>,
        cores: usize,
    ) -> Result<SolveCores, String> {
        let threads = threads.max(1);
        let fit = (cores / threads).max(1);
        match concurrency {
            None => Ok(SolveCores { threads, at_once: fit }),
            Some(0) => Err("must be 1 or more".into()),
            Some(n) if n * threads > cores.max(threads) => Err(format!(
                "{n} solves of {threads} threads need {} cores; this machine has {cores}",
                n * threads
            )),
            Some(n) => Ok(SolveCores { threads, at_once: n }),
        }
    }
}

/// Queues a plan of the day of `station`'s plan unit (the station, or its pool) from its
/// stored caregivers (less the absent), clients and open orders; returns the plan id at once,
/// or `Err(id)` when plan `id` of the day is queued or running already (one solve per day, on
/// every replica).
pub async fn start(
    state: &AppState,
    station_id: &str,
    date: &PlanDate,
    time_limit: Duration,
) -> Result<Result<i64, i64>, AppError> {
    // What cannot be planned is refused at the request, not by a worker later.
    station_day::scenario(state, station_id, date, false).await?;
    // The solve keeps this source (a matrix version) even if a new one is uploaded meanwhile.
    let source = travel::of_station(state, station_id).await?;
    let mut change = state.store.change(station_id).await?;
    let plan_id = match change.create_plan(date, &source.label, time_limit).await? {
        Ok(id) => id,
        Err(busy) => return Ok(Err(busy)),
    };
    change.commit().await?;
    push_plan(state, plan_id).await;
    Ok(Ok(plan_id))
}

/// Puts plan `plan`'s job on the queue. A failure is not the request's: the plan stays
/// queued and unpushed, and [`spawn_upkeep`] pushes it within seconds.
pub async fn push_plan(state: &AppState, plan: i64) {
    match state.queue.push(&Job::new(Work::Plan { plan })).await {
        Ok(()) => {
            if let Err(e) = state.store.pushed(plan).await {
                tracing::warn!(plan, error = %e, "cannot mark a plan pushed");
            }
        }
        Err(e) => tracing::warn!(plan, error = %e, "plan not on the queue yet: pushed again soon"),
    }
}

/// Queues the improvement of re-plan `plan` of a station's day (moves counted against plan
/// `before`); an improvement that cannot be queued is only missed.
pub async fn push_improvement(
    state: &AppState,
    station: &str,
    date: &PlanDate,
    plan: i64,
    before: i64,
) {
    let work = Work::Improve { station: station.to_string(), date: date.to_string(), plan, before };
    if let Err(e) = state.queue.push(&Job::new(work)).await {
        tracing::warn!(plan, error = %e, "cannot queue a re-plan's improvement");
    }
}

/// How long a job of a payload this build does not know waits before it is offered again.
const NEWER_JOB_PAUSE: Duration = Duration::from_secs(30);

/// Runs jobs from the queue, `cores.at_once` at once, until `stop` turns true; then lets the
/// running jobs finish within `grace` and hands the rest back to the queue.
pub async fn run_workers(state: AppState, mut stop: watch::Receiver<bool>, grace: Duration) {
    let slots = Arc::new(Semaphore::new(state.solve_cores.at_once));
    let (give_back, told) = watch::channel(false);
    let mut running = JoinSet::new();
    loop {
        while running.try_join_next().is_some() {}
        if *stop.borrow() {
            break;
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot { Ok(s) => s, Err(_) => break },
            _ = stop.changed() => continue,
        };
        let taken = tokio::select! {
            taken = state.queue.take(Duration::from_secs(5)) => taken,
            _ = stop.changed() => continue,
        };
        match taken {
            Ok(Some(taken)) => {
                let (state, told) = (state.clone(), told.clone());
                running.spawn(async move {
                    run_job(&state, taken, told).await;
                    drop(slot);
                });
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot take a job from the queue");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    if !running.is_empty() {
        tracing::info!(jobs = running.len(), ?grace, "stopping: letting running jobs finish");
        let finish = async { while running.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, finish).await.is_err() {
            tracing::info!(jobs = running.len(), "grace over: handing the jobs back");
            let _ = give_back.send(true);
            while running.join_next().await.is_some() {}
        }
    }
}

async fn run_job(state: &AppState, taken: Taken, give_back: watch::Receiver<bool>) {
    let counters = &state.jobs;
    counters.taken.fetch_add(1, Ordering::Relaxed);
    if taken.deliveries > 1 {
        counters.redelivered.fetch_add(1, Ordering::Relaxed);
    }
    let Taken { job, receipt, .. } = taken;
    let job = match job {
        Ok(job) => job,
        Err(Undecodable::Newer(v)) => {
            tracing::warn!(v, "a job of a newer build: handed back for a newer worker");
            counters.handed_back.fetch_add(1, Ordering::Relaxed);
            return tell(receipt.hand_back(NEWER_JOB_PAUSE).await);
        }
        Err(e) => {
            tracing::error!(error = %e, "a job no build can do: dropped");
            return tell(receipt.done().await);
        }
    };
    let wait_ms = (now_ms() - job.queued_ms).max(0);
    counters.wait_ms.fetch_add(wait_ms.unsigned_abs(), Ordering::Relaxed);
    let began = Instant::now();
    let handed_back = match &job.work {
        Work::Plan { plan } => solve_job(state, *plan, receipt.as_ref(), give_back).await,
        Work::Improve { station, date, plan, before } => {
            match PlanDate::parse(date) {
                Ok(date) => live::improve_job(state, station, &date, *plan, *before).await,
                Err(reason) => tracing::error!(%date, reason, "an improvement of no day"),
            }
            false
        }
    };
    let run_ms = began.elapsed().as_millis() as u64;
    counters.run_ms.fetch_add(run_ms, Ordering::Relaxed);
    let plan = match &job.work {
        Work::Plan { plan } | Work::Improve { plan, .. } => *plan,
    };
    tracing::info!(job = ?job.work, plan, wait_ms, run_ms, handed_back, "job ended");
    if handed_back {
        counters.handed_back.fetch_add(1, Ordering::Relaxed);
        tell(receipt.hand_back(Duration::ZERO).await);
    } else {
        counters.done.fetch_add(1, Ordering::Relaxed);
        tell(receipt.done().await);
    }
}

fn tell(told: Result<(), crate::queue::QueueError>) {
    if let Err(e) = told {
        tracing::warn!(error = %e, "cannot tell the queue about a job: it comes again");
    }
}

/// Solves plan `plan` if its lease can be claimed; `true` when it was handed back unfinished
/// (this worker is stopping).
async fn solve_job(
    state: &AppState,
    plan: i64,
    receipt: &dyn Receipt,
    mut give_back: watch::Receiver<bool>,
) -> bool {
    let claimed = async {
        let Some(row) = state.store.plan(plan).await? else { return Ok(None) };
        if row.status.is_finished() {
            return Ok(None);
        }
        let mut change = state.store.change(&row.unit).await?;
        let claimed = change.claim_plan(plan, &state.instance).await?;
        change.commit().await?;
        Ok::<_, AppError>(Some((row, claimed)))
    };
    let (row, lease, limit) = match claimed.await {
        Ok(Some((row, Claimed::Held { lease, attempt, time_limit_ms }))) => {
            if attempt > 1 {
                tracing::warn!(plan, attempt, "taking over a plan whose worker stopped");
            }
            let limit = time_limit_ms.map_or(state.solve_time_limit, |ms| {
                Duration::from_millis(ms.max(0).unsigned_abs())
            });
            (row, lease, limit)
        }
        Ok(Some((_, Claimed::GaveUp { attempts }))) => {
            tracing::error!(plan, attempts, "plan failed: its workers kept stopping");
            state.jobs.failed.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        // Finished, or solved by a live worker: this delivery has nothing to do.
        Ok(_) => return false,
        Err(e) => {
            tracing::warn!(plan, error = %e, "cannot claim a plan: it comes again");
            return true;
        }
    };
    let cancel = CancelToken::new();
    // On a task of its own: it stores versions in transactions that hold the database's write
    // lock (SQLite) across awaits, so it must go on while the loop below awaits its own writes
    // (a renewal waiting for a lock held by an unpolled future would wait for itself).
    let solving = tokio::spawn({
        let (state, row, lease, cancel) =
            (state.clone(), row.clone(), lease.clone(), cancel.clone());
        async move { solve_leased(&state, &row, &lease, limit, &cancel).await }
    });
    tokio::pin!(solving);
    let mut renew = tokio::time::interval(RENEW_EVERY);
    let mut wake = state.store.event_wakeups();
    let mut stopping = false;
    let outcome = loop {
        tokio::select! {
            outcome = &mut solving => break outcome.unwrap_or_else(|e| {
                Err(AppError::Internal(format!("the solve stopped: {e}")))
            }),
            _ = renew.tick() => {
                match state.store.renew(&lease).await {
                    Ok(true) => tell(receipt.progress().await),
                    Ok(false) => cancel.cancel(),
                    Err(e) => tracing::warn!(plan, error = %e, "cannot renew a lease"),
                }
            }
            woke = wake.recv() => {
                let news = match woke {
                    Ok(Wake::Events(s)) => s == row.station,
                    Ok(Wake::TokensRevoked) => false,
                    Ok(Wake::Everything) | Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => {
                        wake = state.store.event_wakeups();
                        false
                    }
                };
                // Cancelled on any replica: its (first) station's stream says so.
                if news && matches!(state.store.plan(plan).await, Ok(Some(r)) if r.status.is_finished()) {
                    cancel.cancel();
                }
            }
            changed = give_back.changed(), if !stopping => {
                if changed.is_err() || *give_back.borrow() {
                    stopping = true;
                    cancel.cancel();
                }
            }
        }
    };
    if stopping {
        match state.store.hand_back(&lease).await {
            Ok(_) => return true,
            // Its lease lapses and the plan is taken back anyway.
            Err(e) => tracing::warn!(plan, error = %e, "cannot hand a plan back"),
        }
        return true;
    }
    let (status, error) = match &outcome {
        Ok(Some(_)) => (PlanStatus::Done, None),
        Ok(None) => return false, // cancelled, or the lease was lost: it has its end elsewhere
        Err(e) => (PlanStatus::Failed, Some(e.to_string())),
    };
    let event = json!({"plan": plan, "date": row.date, "status": status, "error": error});
    let finish = async {
        let mut change = state.store.change(&row.unit).await?;
        if let Ok(Some((plan, seq, _))) = &outcome {
            if !change.add_version(&lease, &version(seq + 1, plan, true)?).await? {
                return Ok(false);
            }
        }
        if change.finish_leased(&lease, status, error.as_deref()).await? {
            change.event("plan_finished", &event).await?;
            change.commit().await?;
            return Ok(true);
        }
        Ok::<_, AppError>(false)
    };
    match finish.await {
        Ok(true) if status == PlanStatus::Failed => {
            state.jobs.failed.fetch_add(1, Ordering::Relaxed);
        }
        Ok(true) => {
            if let (Ok(Some((_, _, solved))), Ok(date)) = (&outcome, PlanDate::parse(&row.date)) {
                catch_up(state, &row.unit, &date, solved).await;
            }
        }
        Ok(false) => {}
        Err(e) => tracing::error!(plan, error = %e, "cannot record the end of a plan"),
    }
    false
}

/// Keeps the queue whole every [`RENEW_EVERY`], on every process: takes back leases their
/// workers stopped renewing, tells the stations of plans that failed for it, and pushes queued
/// plans that are not on the queue.
pub fn spawn_upkeep(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(RENEW_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = upkeep(&state).await {
                tracing::warn!(error = %e, "cannot look after the solve queue");
            }
        }
    })
}

/// One round of [`spawn_upkeep`].
pub async fn upkeep(state: &AppState) -> Result<(), AppError> {
    for back in state.store.take_back_expired().await? {
        if back.status == PlanStatus::Failed {
            tracing::error!(plan = back.plan, unit = %back.unit, "plan failed: its workers kept stopping");
            let event = json!({"plan": back.plan, "date": back.date, "status": back.status,
                               "error": "failed: its workers stopped before it finished"});
            state.store.append_event(&back.unit, "plan_finished", &event).await?;
        } else {
            tracing::warn!(plan = back.plan, unit = %back.unit, "plan's worker went quiet: queued again");
        }
    }
    while let Some(plan) = state.store.unpushed_plan().await? {
        push_plan(state, plan).await;
    }
    Ok(())
}

/// Orders that came, went or changed while the day was being solved are re-planned into it.
async fn catch_up(state: &AppState, station: &str, date: &PlanDate, solved: &[String]) {
    let open = async {
        let unit = state.store.plan_unit(station).await?;
        state.store.unit_open_orders(&unit, date).await
    };
    let open = match open.await {
        Ok(open) => open,
        Err(e) => return tracing::error!(%station, error = %e, "cannot read orders after a plan"),
    };
    let same = open.len() == solved.len() && open.iter().zip(solved).all(|(o, s)| &o.id == s);
    if !same {
        if let Err(e) = live::replan_day(state, station, date, "catch_up").await {
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

/// Solves the plan of `row` under `lease`, storing each improving version; `Ok(Some((final
/// plan, last stored number, the visits solved)))`, or `Ok(None)` when it was stopped
/// (nothing is stored after that).
async fn solve_leased(
    state: &AppState,
    row: &PlanRow,
    lease: &Lease,
    limit: Duration,
    cancel: &CancelToken,
) -> Result<Option<(Plan, i64, Vec<String>)>, AppError> {
    let date = PlanDate::parse(&row.date)
        .map_err(|reason| AppError::Internal(format!("plan {}: date: {reason}", row.id)))?;
    let (scenario, _) = station_day::scenario(state, &row.unit, &date, false).await?;
    let solved: Vec<String> = scenario.visits.iter().map(|v| v.id.clone()).collect();
    let label = row.travel.clone().unwrap_or_else(|| "roads".into());
    let source = travel::named(state, &row.unit, &label).await?;
    let mut seq = state.store.last_version_seq(row.id).await?;
    let (versions_tx, mut versions_rx) = mpsc::unbounded_channel::<Plan>();
    let (travel, threads, seed) = (state.travel.clone(), state.solve_cores.threads, row.id as u64);
    let stop = cancel.clone();
    let solve = tokio::task::spawn_blocking(move || -> Result<Plan, AppError> {
        let day = travel.day_problem(&source, &scenario)?;
        let (problem, matrices) = (&day.day.problem, &day.travel.matrices);
        let env =
            Environment::new(seed, MaxRuntime::new(limit)).with_threads(threads).with_cancel(stop);
        let mut env = env.on_improvement(|plan: &Plan| {
            // Only plans the independent checker accepts reach anyone.
            if check(problem, matrices, plan).is_feasible() {
                let _ = versions_tx.send(plan.clone());
            }
        });
        let searching = Instant::now();
        let plan = solver::solve(problem, matrices, &mut env);
        tracing::info!(
            plan = seed,
            solve_ms = searching.elapsed().as_millis() as u64,
            "plan searched"
        );
        let report = check(problem, matrices, &plan);
        match report.violations.first() {
            None => Ok(plan),
            Some(v) => {
                Err(AppError::Internal(format!("the plan failed the independent checker: {v}")))
            }
        }
    });
    while let Some(plan) = versions_rx.recv().await {
        if cancel.is_cancelled() {
            continue; // drained, never stored
        }
        seq += 1;
        let mut change = state.store.change(&row.unit).await?;
        if !change.add_version(lease, &version(seq, &plan, false)?).await? {
            cancel.cancel();
            continue;
        }
        let event = json!({"plan": row.id, "seq": seq, "kpis": plan.kpis});
        change.event("plan_improved", &event).await?;
        change.commit().await?;
    }
    let plan =
        solve.await.map_err(|e| AppError::Internal(format!("the solver stopped: {e}")))??;
    if cancel.is_cancelled() {
        return Ok(None);
    }
    Ok(Some((plan, seq, solved)))
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
        }
    }

    #[test]
    fn a_worker_never_runs_more_threads_than_cores() {
        assert_eq!(SolveCores::for_worker(1, None, 2), Ok(SolveCores { threads: 1, at_once: 2 }));
        assert_eq!(SolveCores::for_worker(2, None, 8), Ok(SolveCores { threads: 2, at_once: 4 }));
        assert_eq!(SolveCores::for_worker(4, None, 2), Ok(SolveCores { threads: 4, at_once: 1 }));
        assert_eq!(
            SolveCores::for_worker(1, Some(2), 2),
            Ok(SolveCores { threads: 1, at_once: 2 })
        );
        assert!(SolveCores::for_worker(2, Some(2), 2).is_err());
        assert!(SolveCores::for_worker(1, Some(0), 2).is_err());
    }
}
