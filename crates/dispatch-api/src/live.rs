//! Live re-planning of a station's day that has begun (a pooled station's: its pool's day):
//! after an urgent order, a cancellation or change, or a caregiver's absence. Started and past visits stay; the rest moves as little
//! as it can (see `solver::replan`). Each re-plan is stored as a new version of the day's plan
//! and announced on the station's stream with every visit it inserted or moved.

use crate::app::AppState;
use crate::date::PlanDate;
use crate::error::AppError;
use crate::solve_worker;
use crate::station_day;
use crate::store::{StationChange, VersionRow};
use crate::travel::{self, StationSource};
use serde::Serialize;
use serde_json::json;
use solver::replan::{
    assign, improve, moved_between, replan, AssignError, DayState, MovedVisit, Replan, ReplanError,
};
use solver::{CancelToken, Seconds};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A start that moves by more than five minutes counts as moved.
pub const MOVE_TOLERANCE: Seconds = Seconds(300);

/// A visit newly in a route: where and when it starts.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Placed {
    pub visit: String,
    pub caregiver: String,
    pub start: Seconds,
}

/// What a re-plan did.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReplanReport {
    pub plan: i64,
    pub reason: String,
    /// Each visit newly in a route.
    pub inserted: Vec<Placed>,
    pub moved: Vec<MovedVisit>,
    /// Open visits of the day that are in no route.
    pub unassigned: Vec<String>,
}

/// Each station day's improvement running in this process, which a newer re-plan makes moot.
/// (Re-plans themselves need no lock here: the database stores a re-plan only if it was made
/// from the plan in force, on whichever process it ran; an improvement running elsewhere is
/// dropped by the same check.)
#[derive(Debug, Default)]
pub struct Improving(Mutex<HashMap<String, (u64, CancelToken)>>, AtomicU64);

/// How often a re-plan is made again when other re-plans of the day keep coming first.
const REPLAN_TRIES: usize = 32;

impl Improving {
    /// Stops the day's running improvement, if any, and returns the token of the next: its
    /// result would be dropped anyway, and its core is better spent on the new re-plan.
    /// Returns the improvement's number, for [`Improving::end`].
    fn begin(&self, station: &str, date: &PlanDate) -> (u64, CancelToken) {
        let token = CancelToken::new();
        let number = self.1.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.0.lock() {
            if let Some((_, old)) = map.insert(format!("{station}/{date}"), (number, token.clone()))
            {
                old.cancel();
            }
        }
        (number, token)
    }

    /// Forgets the day's improvement `number` once it ended (unless a newer one took its
    /// place).
    fn end(&self, station: &str, date: &PlanDate, number: u64) {
        if let Ok(mut map) = self.0.lock() {
            let key = format!("{station}/{date}");
            if map.get(&key).is_some_and(|(n, _)| *n == number) {
                map.remove(&key);
            }
        }
    }
}

/// How long a re-plan is improved in the background after it is answered.
pub const IMPROVE_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// What a re-plan starts from: the day's visits, who is absent, what started, and now.
struct DayNow {
    scenario: formats::scenario::Scenario,
    absent: HashSet<String>,
    started: HashSet<String>,
    /// Visits the dispatcher locked.
    pinned: HashSet<String>,
    now: i64,
    /// The station's travel source now (a re-plan uses the newest matrix).
    travel: StationSource,
}

async fn day_now(state: &AppState, station: &str, date: &PlanDate) -> Result<DayNow, AppError> {
    let (scenario, absent) = station_day::scenario(state, station, date, true).await?;
    let started: HashSet<String> =
        state.store.progress_of_day(station, date).await?.into_iter().map(|p| p.visit).collect();
    let pinned = state.store.locked_visits(station, date).await?.into_iter().collect();
    let travel = travel::of_station(state, station).await?;
    let (today, seconds) = state.clock.now();
    // Nothing new may start in the past: on a past day, nowhere.
    let now = match date.cmp(&today) {
        std::cmp::Ordering::Equal => seconds,
        std::cmp::Ordering::Less => 3 * 86_400,
        std::cmp::Ordering::Greater => 0,
    };
    Ok(DayNow { scenario, absent, started, pinned, now, travel })
}

/// Runs `f` on the day's problem, its travel and its state (moves counted against `before`)
/// on a blocking thread.
async fn on_the_day<T: Send + 'static>(
    state: &AppState,
    inputs: DayNow,
    before: solver::Plan,
    f: impl FnOnce(&solver::Problem, &solver::TravelMatrices, &DayState) -> Result<T, AppError>
        + Send
        + 'static,
) -> Result<T, AppError> {
    let travel_cache = state.travel.clone();
    tokio::task::spawn_blocking(move || {
        let problem = travel_cache.day_problem(&inputs.travel, &inputs.scenario)?;
        let day = DayState {
            current: &before,
            started: &inputs.started,
            now: Seconds(inputs.now),
            absent: &inputs.absent,
            pinned: &inputs.pinned,
            tolerance: MOVE_TOLERANCE,
        };
        f(&problem.day.problem, &problem.travel.matrices, &day)
    })
    .await
    .map_err(|e| AppError::Internal(format!("re-planning stopped: {e}")))?
}

/// Why a re-plan could not be made, as the API says it.
fn replan_error(e: ReplanError) -> AppError {
    match e {
        // The day's past no longer fits the roads or clients as they are: a dispatcher has to
        // sort it out, not a server fault.
        ReplanError::PastDoesNotFit(_) | ReplanError::FixedVisitCannotStay { .. } => {
            AppError::Conflict(e.to_string())
        }
        ReplanError::Checker(_) => AppError::Internal(e.to_string()),
    }
}

/// Re-plans a station's day from its current plan; `Ok(None)` when the day has no finished
/// plan yet (its orders are planned with the day). The answer comes from the quick greedy
/// re-plan; a job on the solve queue then improves it for [`IMPROVE_FOR`] and stores the
/// improvement as a further version if nothing changed the day meanwhile.
pub async fn replan_day(
    state: &AppState,
    station: &str,
    date: &PlanDate,
    reason: &str,
) -> Result<Option<ReplanReport>, AppError> {
    let make = |problem: &solver::Problem, travel: &solver::TravelMatrices, day: &DayState| {
        replan(problem, travel, day).map_err(replan_error)
    };
    remake_day(state, (station, date), (reason, None), make).await
}

/// A dispatcher's hand on the day: `visit` goes to `caregiver` (at `start`, or where it fits
/// best), checked by the checker through the one re-plan model (`solver::replan::assign`),
/// stored as a new version with the visit locked there, in one change; the background
/// improvement then re-plans the rest around it. Refused with the rule it breaks.
pub async fn assign_visit(
    state: &AppState,
    (station, date): (&str, &PlanDate),
    (visit, caregiver, start): (&str, &str, Option<Seconds>),
) -> Result<ReplanReport, AppError> {
    let (v, c) = (visit.to_string(), caregiver.to_string());
    let make = move |problem: &solver::Problem, travel: &solver::TravelMatrices, day: &DayState| {
        assign(problem, travel, day, (&v, &c, start)).map_err(|e| assign_error(e, start))
    };
    let lock = Lock { visit, station };
    remake_day(state, (station, date), ("assign", Some(lock)), make).await?.ok_or_else(|| {
        AppError::Conflict(format!(
            "the day {date} of station {station:?} has no plan yet: plan it first"
        ))
    })
}

/// Why an assignment is refused, as the API says it: the rule and the field it is about.
fn assign_error(e: AssignError, start: Option<Seconds>) -> AppError {
    match e {
        AssignError::Breaks { rule, why } => {
            // Who may serve it is the caregiver's matter; when, the start's.
            let field = match start {
                Some(_) if !WHO_RULES.contains(&rule) => "start",
                _ => "caregiver",
            };
            AppError::Rule { field: field.into(), rule: rule.into(), reason: why }
        }
        AssignError::UnknownCaregiver(_) => AppError::invalid("caregiver", e.to_string()),
        AssignError::UnknownVisit(_) => AppError::Conflict(e.to_string()),
        AssignError::Replan(e) => replan_error(e),
    }
}

/// Makes a new version of a station's day (a pooled station's: its pool's) with `make`, from
/// the plan in force and the day as it is; stores it with `lock`, announces it and queues its
/// improvement. When another re-plan of the day came first (here or on another replica), it is
/// made again from that one, after a pause that keeps racing re-plans apart. `Ok(None)` when the
/// day has no finished plan yet.
async fn remake_day(
    state: &AppState,
    (station, date): (&str, &PlanDate),
    (reason, lock): (&str, Option<Lock<'_>>),
    make: impl Fn(&solver::Problem, &solver::TravelMatrices, &DayState) -> Result<Replan, AppError>
        + Clone
        + Send
        + 'static,
) -> Result<Option<ReplanReport>, AppError> {
    let unit = state.store.plan_unit(station).await?;
    let station = unit.id.as_str();
    for attempt in 0..REPLAN_TRIES {
        let Some((current_id, current)) = state.store.current_plan(station, date).await? else {
            return Ok(None);
        };
        // The running improvement of the day here is moot.
        drop(state.improving.begin(station, date));
        let inputs = day_now(state, station, date).await?;
        let source = inputs.travel.label.clone();
        let result = on_the_day(state, inputs, current.clone(), make.clone()).await?;
        let stored = (current_id, reason, source.as_str());
        if let Some(report) = store_and_announce(state, station, date, stored, result, lock).await?
        {
            solve_worker::push_improvement(state, station, date, report.plan, current_id).await;
            return Ok(Some(report));
        }
        let pause = rand::random::<u64>() % (1 + 2 * attempt as u64);
        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
    }
    Err(AppError::Conflict(format!(
        "the day of station {station:?} was re-planned {REPLAN_TRIES} times by others while this \
         {reason} was made: try again"
    )))
}

/// The rules about who may serve a visit, as against when.
const WHO_RULES: [&str; 7] = ["skills", "gender", "refused", "circle", "absent", "locked", "link"];

/// A visit a re-plan locks where it put it, in the change that stores the re-plan.
#[derive(Clone, Copy)]
struct Lock<'a> {
    visit: &'a str,
    /// The visit's own station (a pool's day spans several).
    station: &'a str,
}

async fn store_and_announce(
    state: &AppState,
    station: &str,
    date: &PlanDate,
    (from, reason, source): (i64, &str, &str),
    result: solver::replan::Replan,
    lock: Option<Lock<'_>>,
) -> Result<Option<ReplanReport>, AppError> {
    let version = VersionRow {
        seq: 1,
        kpis: serde_json::to_value(&result.plan.kpis)?,
        plan: serde_json::to_value(&result.plan)?,
        is_final: true,
    };
    let mut change = state.store.change(station).await?;
    let Some(plan_id) = change.store_replan(date, from, (reason, source), &version).await? else {
        return Ok(None);
    };
    let report = ReplanReport {
        plan: plan_id,
        reason: reason.to_string(),
        inserted: result
            .inserted
            .iter()
            .map(|(v, c, s)| Placed { visit: v.clone(), caregiver: c.clone(), start: *s })
            .collect(),
        moved: result.moved,
        unassigned: result.plan.unassigned.iter().map(|u| u.visit.clone()).collect(),
    };
    announce(&mut change, date, &report, &version.kpis).await?;
    if let Some(Lock { visit, station }) = lock {
        let placed = result.plan.routes.iter().find_map(|r| {
            r.stops.iter().find(|s| s.visit == visit).map(|s| (r.caregiver.clone(), s.start))
        });
        let (caregiver, start) = placed.unzip();
        change.lock_visit(visit, station, date).await?;
        let data = json!({"visit": visit, "date": date, "locked": true,
                          "caregiver": caregiver, "start": start});
        change.event("lock", &data).await?;
    }
    change.commit().await?;
    Ok(Some(report))
}

/// The improvement job of re-plan `plan_id` of the day (moves counted against plan
/// `before_id`, the plan before the event): stored as a further version unless another
/// re-plan came first. Its failures are logged: the re-plan stands as it is.
pub async fn improve_job(
    state: &AppState,
    station: &str,
    date: &PlanDate,
    plan_id: i64,
    before_id: i64,
) {
    let unit = match state.store.plan_unit(station).await {
        Ok(unit) => unit,
        Err(e) => return tracing::error!(%station, %date, error = %e, "improving a re-plan failed"),
    };
    let station = unit.id.as_str();
    let (number, cancel) = state.improving.begin(station, date);
    let improving = improve_replan(state, station, date, (before_id, plan_id), cancel);
    if let Err(e) = improving.await {
        tracing::error!(%station, %date, error = %e, "improving a re-plan failed");
    }
    state.improving.end(station, date, number);
}

async fn improve_replan(
    state: &AppState,
    station: &str,
    date: &PlanDate,
    (before_id, plan_id): (i64, i64),
    cancel: CancelToken,
) -> Result<(), AppError> {
    // Computed without holding the day: an urgent order meanwhile is not kept waiting, and
    // the improvement is dropped if the day moved on.
    let Some((current_id, replanned)) = state.store.current_plan(station, date).await? else {
        return Ok(());
    };
    if current_id != plan_id || cancel.is_cancelled() {
        return Ok(());
    }
    let Some(before) = state.store.latest_version(before_id).await? else { return Ok(()) };
    let before: solver::Plan = serde_json::from_value(before.plan)?;
    let inputs = day_now(state, station, date).await?;
    // A caregiver marked absent since the re-plan still has visits to do in it: that absence's
    // own re-plan moves them (an improvement starts from a plan that fits the day as it is).
    let stale = replanned.routes.iter().any(|r| {
        inputs.absent.contains(&r.caregiver)
            && r.stops.iter().any(|s| !inputs.started.contains(&s.visit))
    });
    if stale {
        return Ok(());
    }
    let source = inputs.travel.label.clone();
    let from = replanned.clone();
    let better = on_the_day(state, inputs, before, move |problem, travel, day| {
        improve(problem, travel, day, &from, (std::time::Instant::now() + IMPROVE_FOR, cancel))
            .map_err(replan_error)
    })
    .await?;
    if let Some(mut better) = better {
        // Announced: what changed against the plan in force, not against the one before the
        // event (those moves were announced already). Dropped if the day moved on while this
        // was computed.
        better.moved = moved_between(&replanned, &better.plan, MOVE_TOLERANCE);
        store_and_announce(state, station, date, (plan_id, "improve", &source), better, None)
            .await?;
    }
    Ok(())
}

/// Puts the re-plan on the station's stream, in the change that stores it.
async fn announce(
    change: &mut StationChange,
    date: &PlanDate,
    report: &ReplanReport,
    kpis: &serde_json::Value,
) -> Result<(), AppError> {
    change
        .event(
            "plan",
            &json!({"plan": report.plan, "date": date, "reason": report.reason, "kpis": kpis,
                    "moved": report.moved.len(), "inserted": report.inserted.len()}),
        )
        .await?;
    for i in &report.inserted {
        let mut data = serde_json::to_value(i)?;
        data["date"] = json!(date);
        data["plan"] = json!(report.plan);
        change.event("assignment", &data).await?;
    }
    for m in &report.moved {
        change
            .event(
                "assignment",
                &json!({"visit": m.visit, "caregiver": m.to_caregiver, "start": m.to_start,
                        "from_caregiver": m.from_caregiver, "from_start": m.from_start,
                        "date": date, "plan": report.plan}),
            )
            .await?;
    }
    Ok(())
}
