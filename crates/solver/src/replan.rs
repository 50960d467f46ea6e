//! Re-planning a day that has begun, keeping what happened: the one search (see
//! [`crate::search`]) on the rest of the day. Visits already started, planned to start
//! before now, or locked by a dispatcher are locked: they keep their caregiver and start, and
//! the search never moves them. Nothing else starts before now; absent caregivers take
//! nothing new. Every other visit of the plan before the event costs a large weight if it
//! changes caregiver or moves by more than the tolerance, so the search moves as few as it
//! can, then saves travel. The quick answer inserts the new visits (and an absent caregiver's
//! remaining ones) and runs the local search; the background improvement then runs the whole
//! search (ruin and recreate, local search) until its deadline. Every re-plan passes the
//! independent checker.

use crate::check::{check, check_kept, Kept};
use crate::env::{CancelToken, Environment, MaxRuntime};
use crate::model::{Plan, Problem, ReasonCode, Seconds};
use crate::route::cost::SolCost;
use crate::route::data::FREE;
use crate::route::schedule::{broken_rule, timing};
use crate::route::Data;
use crate::rules::locked::DayRules;
use crate::search::diagnose::reasons;
use crate::search::driver::{hopeless, search_from};
use crate::search::local;
use crate::search::output::to_plan;
use crate::search::recreate::{insert_one, InsertionScratch};
use crate::search::solution::Solution;
use crate::travel::TravelTimes;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use thiserror::Error;

/// What one visit moved against the plan before costs the search: more than any travel a
/// day can save (about 28 hours), so the fewest moves come first, then travel.
const MOVED_WEIGHT: i64 = 100_000;

/// What the day looks like now.
pub struct DayState<'a> {
    /// The plan caregivers follow.
    pub current: &'a Plan,
    /// Visits checked in (started or finished).
    pub started: &'a HashSet<String>,
    /// Seconds from midnight: nothing new may start before.
    pub now: Seconds,
    /// Caregivers who will serve no more visits today.
    pub absent: &'a HashSet<String>,
    /// Visits a dispatcher locked: they keep their caregiver and start (unless the caregiver
    /// is absent: then they are placed again like the caregiver's other visits).
    pub pinned: &'a HashSet<String>,
    /// A start that moves by more than this counts as moved.
    pub tolerance: Seconds,
}

impl DayState<'_> {
    /// The visits a re-plan must keep with their caregiver at their start (the checker's
    /// `locked` rule): started or checked in; and, of caregivers still at work, planned to
    /// start before now or locked by a dispatcher.
    pub fn kept(&self) -> HashSet<String> {
        let mut kept = self.started.clone();
        for r in self.current.routes.iter().filter(|r| !self.absent.contains(&r.caregiver)) {
            let past =
                r.stops.iter().filter(|s| s.start < self.now || self.pinned.contains(&s.visit));
            kept.extend(past.map(|s| s.visit.clone()));
        }
        kept
    }
}

/// A visit whose caregiver or start changed (or that was dropped from the plan).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MovedVisit {
    pub visit: String,
    pub from_caregiver: String,
    pub from_start: Seconds,
    /// `None`: no longer in the plan.
    pub to_caregiver: Option<String>,
    pub to_start: Option<Seconds>,
}

/// The new plan and what changed.
#[derive(Clone, Debug, Serialize)]
pub struct Replan {
    pub plan: Plan,
    /// Visits not in the old plan's routes that now are: `(visit, caregiver, start)`.
    pub inserted: Vec<(String, String, Seconds)>,
    /// Visits of the old plan's routes that changed caregiver, or start by more than the
    /// tolerance, or fell out.
    pub moved: Vec<MovedVisit>,
}

#[derive(Debug, Error)]
pub enum ReplanError {
    #[error("the re-plan broke a rule: {0}")]
    Checker(String),
    #[error("caregiver {0}'s day no longer fits together after what happened (a client or the roads changed); it needs a dispatcher")]
    PastDoesNotFit(String),
    /// A visit that must stay (started, past or locked) with a caregiver who may no longer
    /// serve it (its order or client changed: skills, gender, refusals).
    #[error("visit {visit} must stay with caregiver {caregiver} (it started, is past or is locked), who may no longer serve it after the change")]
    FixedVisitCannotStay { visit: String, caregiver: String },
}

/// Re-plans `problem` (every open visit of the day) from the day's state: the new visits
/// and those that must move are inserted where they cost least, then the local search.
pub fn replan(
    problem: &Problem,
    travel: &dyn TravelTimes,
    day: &DayState,
) -> Result<Replan, ReplanError> {
    let today = Today::new(problem, travel, day, day.current)?;
    let Today { data, mut sol, reasons, hopeless } = today;
    let mut pending: Vec<u32> =
        sol.unassigned.iter().copied().filter(|&v| !hopeless[v as usize]).collect();
    // The tightest windows first: they have the fewest places to go.
    pending.sort_by_key(|&v| (data.windows(v as usize).last().map_or(i64::MAX, |w| w.1), v));
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut scratch = InsertionScratch::default();
    let mut touched = Vec::new();
    for v in pending {
        insert_one(&data, &mut sol, v as usize, 0.0, &mut rng, &mut scratch);
        // The routes it went to: its own (with its pick-up) and its partner's.
        let partner = data.link[v as usize].map(|l| l.partner);
        let placed = [Some(v), partner].into_iter().flatten();
        touched.extend(placed.filter_map(|w| sol.route_of[w as usize]).map(|r| r as usize));
    }
    touched.sort_unstable();
    touched.dedup();
    // The quick answer improves around what changed; the background improvement searches the
    // whole day.
    local::improve_routes(&data, &mut sol, &touched);
    finish(problem, travel, &data, &sol, &reasons, day)
}

/// Improves a re-plan in the background with the whole search, from `from`, until
/// `deadline` or until `cancel` is set (the day moved on): fewer visits moved against the
/// day's plan before the event, or as many and less travel. `Ok(None)` when nothing improved.
pub fn improve(
    problem: &Problem,
    travel: &dyn TravelTimes,
    day: &DayState,
    from: &Plan,
    (deadline, cancel): (std::time::Instant, CancelToken),
) -> Result<Option<Replan>, ReplanError> {
    let Today { data, sol, reasons, hopeless } = Today::new(problem, travel, day, from)?;
    let start = sol.cost;
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    let mut env = Environment::new(1, MaxRuntime::new(left)).with_cancel(cancel);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let best = search_from(&data, sol, &hopeless, &mut rng, &mut env, &mut |_, _| {});
    if best.cost >= start {
        return Ok(None);
    }
    finish(problem, travel, &data, &best, &reasons, day).map(Some)
}

/// Why a dispatcher's assignment cannot stand.
#[derive(Debug, Error)]
pub enum AssignError {
    #[error("no open visit {0:?} in the day")]
    UnknownVisit(String),
    #[error("no caregiver {0:?} works this day")]
    UnknownCaregiver(String),
    /// The rule the assignment breaks (a checker rule or a reason code: `skills`, `gender`,
    /// `time_window`, `shift`, `locked`, …) and why, in words.
    #[error("{rule}: {why}")]
    Breaks { rule: &'static str, why: String },
    #[error(transparent)]
    Replan(#[from] ReplanError),
}

/// Why one caregiver cannot take one visit, in words (the reason codes' own say why nobody
/// can).
fn for_one(rule: ReasonCode) -> &'static str {
    match rule {
        ReasonCode::Skills => "they lack a skill it needs",
        ReasonCode::Gender => "it needs a female caregiver",
        ReasonCode::Refused => "the client refuses them",
        ReasonCode::TimeWindow => "they cannot start it inside its time window",
        ReasonCode::Shift => "it does not fit in their shift",
        ReasonCode::MaxLeg => "a leg would be longer than the service circle allows",
        ReasonCode::RouteDuration => "their day would be longer than allowed",
        ReasonCode::Break => "their lunch break would not fit",
        ReasonCode::Capacity | ReasonCode::BoxCapacity => "it is more than they can carry",
        ReasonCode::MaxCommute => "their commute would be too long",
        ReasonCode::NoTravelTime => "the travel times do not reach the client",
        other => other.describe(),
    }
}

fn breaks(rule: &'static str, why: impl Into<String>) -> AssignError {
    AssignError::Breaks { rule, why: why.into() }
}

/// A dispatcher's assignment: `visit` goes to `caregiver`, starting at `start` (or, without
/// one, where it fits their route best), and nothing else moves. The caller keeps it there
/// (locks it) and lets the improvement re-plan the rest. Refused, naming the rule, when the
/// caregiver may not serve it (skills, gender, refusal, circle, absence), when it started, is
/// past or locked, or when their day cannot take it then; the plan returned passes the checker.
/// A visit served by two caregivers, or a meal with its pick-up, moves with its other half
/// and is refused here.
pub fn assign(
    problem: &Problem,
    travel: &dyn TravelTimes,
    day: &DayState,
    (visit, caregiver, start): (&str, &str, Option<Seconds>),
) -> Result<Replan, AssignError> {
    let Today { data, mut sol, reasons, .. } = Today::new(problem, travel, day, day.current)?;
    let v = problem.visit_idx(visit).ok_or_else(|| AssignError::UnknownVisit(visit.into()))?;
    let c = problem
        .caregiver_idx(caregiver)
        .ok_or_else(|| AssignError::UnknownCaregiver(caregiver.into()))?;
    if day.absent.contains(caregiver) {
        return Err(breaks("absent", format!("{caregiver} is absent today")));
    }
    if data.is_locked(v.index()) {
        let why = format!("{visit} started, is past or locked: it stays where it is");
        return Err(breaks("locked", why));
    }
    if let Some(rule) = problem.ineligible(v, c) {
        let why = format!("{caregiver} may not serve {visit}: {}", for_one(rule));
        return Err(breaks(rule.as_str(), why));
    }
    let windows = &problem.visit(v).windows;
    if let Some(at) = start.filter(|at| !windows.iter().any(|w| w.start <= *at && *at <= w.end)) {
        let clock = |s: Seconds| format!("{:02}:{:02}", s.0 / 3600, s.0 % 3600 / 60);
        let open: Vec<String> =
            windows.iter().map(|w| format!("{}-{}", clock(w.start), clock(w.end))).collect();
        let why =
            format!("{visit} may start only inside {}, not at {}", open.join(", "), clock(at));
        return Err(breaks(ReasonCode::TimeWindow.as_str(), why));
    }
    let (v, c) = (v.index(), c.index());
    if !data.can_serve(c, v) {
        // Neither skills, gender nor a refusal: the client lives outside the circle of the
        // caregiver's station (a pool lends caregivers inside it only).
        let why = format!("{visit}'s client lives outside the circle of {caregiver}'s station");
        return Err(breaks(ReasonCode::Circle.as_str(), why));
    }
    if data.moves_in_unit(v) {
        return Err(breaks(
            "link",
            format!("{visit} is served together with another visit (two caregivers, or a meal with its pick-up) and moves with it: lock it where it is or re-plan the day"),
        ));
    }
    if let Some(r) = sol.route_of[v].map(|r| r as usize) {
        if let Some(p) = sol.routes[r].position(v) {
            sol.remove(&data, r, p);
        }
    }
    let route: Vec<(usize, i64)> = sol.routes[c].stops().collect();
    let with = |p: usize, pin: i64| {
        let mut seq = route.clone();
        seq.insert(p, (v, pin));
        seq
    };
    // At the given start: among the route's stops by their planned starts. Without one:
    // wherever it costs least.
    let tries: Vec<(usize, i64)> = match start {
        Some(s) => {
            let plan = day.current.routes.iter().find(|r| r.caregiver == caregiver);
            let starts: HashMap<&str, i64> = plan
                .map(|r| r.stops.iter().map(|s| (s.visit.as_str(), s.start.0)).collect())
                .unwrap_or_default();
            let before = route
                .iter()
                .filter(|&&(w, _)| {
                    starts.get(problem.visits[w].id.as_str()).is_some_and(|&t| t <= s.0)
                })
                .count();
            vec![(before, s.0)]
        }
        None => (0..=route.len()).map(|p| (p, FREE)).collect(),
    };
    let mut best: Option<(SolCost, usize, i64)> = None;
    for &(p, pin) in &tries {
        if timing(&data, c, with(p, pin).into_iter()).is_none() {
            continue;
        }
        // Priced in place, then taken out again.
        sol.insert_pinned(&data, v, c, p, pin);
        if best.is_none_or(|(cost, _, _)| sol.cost < cost) {
            best = Some((sol.cost, p, pin));
        }
        sol.remove(&data, c, p);
    }
    let Some((_, p, pin)) = best else {
        let (p, pin) = tries[0];
        let rule = broken_rule(&data, c, with(p, pin).into_iter()).unwrap_or(ReasonCode::NoRoom);
        let when = start
            .map_or(String::new(), |s| format!(" at {:02}:{:02}", s.0 / 3600, s.0 % 3600 / 60));
        return Err(breaks(
            rule.as_str(),
            format!("{caregiver}'s day cannot take {visit}{when}: {}", for_one(rule)),
        ));
    };
    sol.insert_pinned(&data, v, c, p, pin);
    Ok(finish(problem, travel, &data, &sol, &reasons, day)?)
}

/// The rest of the day as the search sees it: the problem turned into the day that has
/// begun, and the routes of a plan with what happened locked.
struct Today {
    data: Data,
    sol: Solution,
    reasons: Vec<ReasonCode>,
    hopeless: Vec<bool>,
}

impl Today {
    fn new(
        problem: &Problem,
        travel: &dyn TravelTimes,
        day: &DayState,
        plan: &Plan,
    ) -> Result<Today, ReplanError> {
        let mut data = Data::new(problem, travel);
        let n = problem.visits.len();
        let now = day.now.0;
        let absent: Vec<bool> =
            problem.caregivers.iter().map(|c| day.absent.contains(&c.id)).collect();
        let mut was = vec![None; n];
        for (v, (c, start)) in indexed(problem, day.current) {
            was[v] = Some((c as u32, start));
        }
        // Each route of `plan` by caregiver index: its visits and their planned starts.
        let mut routes: Vec<Vec<(usize, i64)>> = vec![Vec::new(); problem.caregivers.len()];
        let mut seen = vec![false; n];
        for r in &plan.routes {
            // A caregiver no longer at the station: their visits go to the others.
            let Some(c) = problem.caregiver_idx(&r.caregiver) else { continue };
            for stop in &r.stops {
                // A visit cancelled since has no index: it simply leaves the route.
                let Some(v) = problem.visit_idx(&stop.visit) else { continue };
                if !std::mem::replace(&mut seen[v.index()], true) {
                    routes[c.index()].push((v.index(), stop.start.0));
                }
            }
        }
        let mut breaks_taken = vec![None; problem.caregivers.len()];
        for r in &day.current.routes {
            let taken = r.break_start.filter(|b| b.0 < now && !r.stops.is_empty());
            if let (Some(c), Some(start)) = (problem.caregiver_idx(&r.caregiver), taken) {
                breaks_taken[c.index()] = Some(start.0);
            }
        }
        // What is kept below is timed with the breaks as the re-planned day has them.
        data.breaks_for_the_day(now, &breaks_taken);
        // A working caregiver's past stays as planned, and what a dispatcher locked; an
        // absent caregiver keeps only what they started. When that alone no longer closes
        // the day (the leg home from the last kept visit is longer than the leg limit, say),
        // the next visits stay as planned too, as few as close it.
        let mut locked = vec![None; n];
        for (c, route) in routes.iter().enumerate() {
            let id = |v: usize| &problem.visits[v].id;
            // Everything up to the last visit that started (or, at work, was due to) happened:
            // a meal's pick-up, which nobody checks in at, before its delivery too.
            let past = route
                .iter()
                .rposition(|&(v, start)| day.started.contains(id(v)) || (!absent[c] && start < now))
                .map_or(0, |k| k + 1);
            let pins = !absent[c];
            let kept = |upto: usize| {
                route
                    .iter()
                    .enumerate()
                    .filter(move |&(k, &(v, _))| k < upto || (pins && day.pinned.contains(id(v))))
            };
            let upto = (past..=route.len())
                .find(|&upto| timing(&data, c, kept(upto).map(|(_, &stop)| stop)).is_some())
                .unwrap_or(past);
            for (_, &(v, _)) in kept(upto) {
                locked[v] = Some(c as u32);
            }
        }
        // A visit served with another (two caregivers) is one service: when one half stays,
        // so does the other, with its caregiver. Should that half no longer close its route's
        // day with what is kept there (an absent caregiver's half, far from what they
        // started), the visits before it stay as planned too, as few as close it; their own
        // partners then stay in turn.
        let mut changed = true;
        while changed {
            changed = false;
            for (c, route) in routes.iter().enumerate() {
                for &(v, _) in route {
                    let partner = data.link[v].map(|l| l.partner as usize);
                    if partner.is_some_and(|w| locked[w].is_some()) && locked[v].is_none() {
                        locked[v] = Some(c as u32);
                        changed = true;
                    }
                }
                let here: Vec<bool> =
                    route.iter().map(|&(v, _)| locked[v] == Some(c as u32)).collect();
                let here = &here;
                let kept = |upto: usize| {
                    route
                        .iter()
                        .enumerate()
                        .filter(move |&(k, _)| k < upto || here[k])
                        .map(|(_, &stop)| stop)
                };
                if timing(&data, c, kept(0)).is_none() {
                    let upto =
                        (1..=route.len()).find(|&upto| timing(&data, c, kept(upto)).is_some());
                    if let Some(upto) = upto {
                        for &(v, _) in &route[..upto] {
                            if locked[v].is_none() {
                                locked[v] = Some(c as u32);
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
        data.for_the_day(DayRules {
            was,
            tolerance: day.tolerance.0,
            moved_weight: MOVED_WEIGHT,
            locked,
            now,
            closed: absent,
        });
        let mut sol = Solution::empty(&data);
        for (c, route) in routes.iter().enumerate() {
            // Locked and linked visits keep their starts (a link holds as planned).
            let pinned = |&(v, start): &(usize, i64)| {
                (v, if data.is_locked(v) || data.is_linked(v) { start } else { FREE })
            };
            if let Some(&(v, _)) =
                route.iter().find(|&&(v, _)| data.is_locked(v) && !data.can_serve(c, v))
            {
                return Err(ReplanError::FixedVisitCannotStay {
                    visit: problem.visits[v].id.clone(),
                    caregiver: problem.caregivers[c].id.clone(),
                });
            }
            let mut stops: Vec<(usize, i64)> =
                route.iter().map(pinned).filter(|&(v, _)| data.can_serve(c, v)).collect();
            if timing(&data, c, stops.iter().copied()).is_none() {
                // What is still to come no longer fits the day as it is now (a client moved,
                // the roads changed): it is placed again.
                stops.retain(|&(v, _)| data.is_locked(v));
                if timing(&data, c, stops.iter().copied()).is_none() {
                    return Err(ReplanError::PastDoesNotFit(problem.caregivers[c].id.clone()));
                }
            }
            let visits: Vec<u32> = stops.iter().map(|&(v, _)| v as u32).collect();
            let pins: Vec<i64> = stops.iter().map(|&(_, pin)| pin).collect();
            sol.set_route(&data, c, &visits, &pins);
        }
        // Units leave whole: a linked visit whose partner is not served, a meal whose other
        // end is not on the route, goes back with it.
        for v in 0..n {
            let Some(r) = sol.route_of[v].map(|r| r as usize) else { continue };
            if data.is_locked(v) {
                continue;
            }
            let whole = match (data.link[v], data.pair[v]) {
                (Some(l), _) => sol.route_of[l.partner as usize].is_some(),
                (_, Some(_)) => sol.routes[r].timing(&data).is_some(),
                _ => true,
            };
            if !whole {
                if let Some(p) = sol.routes[r].position(v) {
                    sol.remove_unit(&data, r, p);
                }
            }
        }
        sol.unassigned = (0..n as u32).filter(|&v| sol.route_of[v as usize].is_none()).collect();
        sol.recompute_cost(&data);
        let reasons = reasons(&data);
        let hopeless = hopeless(&data, &reasons);
        Ok(Today { data, sol, reasons, hopeless })
    }
}

/// Each routed visit of `plan` by index, with its caregiver's index and start.
fn indexed<'a>(
    problem: &'a Problem,
    plan: &'a Plan,
) -> impl Iterator<Item = (usize, (usize, i64))> + 'a {
    plan.routes
        .iter()
        .filter_map(move |r| problem.caregiver_idx(&r.caregiver).map(|c| (c, r)))
        .flat_map(move |(c, r)| {
            r.stops.iter().filter_map(move |s| {
                problem.visit_idx(&s.visit).map(|v| (v.index(), (c.index(), s.start.0)))
            })
        })
}

/// The plan of `sol`, checked, with what changed against the day's plan before.
fn finish(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: &Data,
    sol: &Solution,
    reasons: &[ReasonCode],
    day: &DayState,
) -> Result<Replan, ReplanError> {
    let plan = to_plan(problem, travel, data, sol, reasons);
    if let Some(v) = check(problem, travel, &plan).violations.first() {
        return Err(ReplanError::Checker(v.to_string()));
    }
    // A visit cancelled since is kept by no one, nor one of a caregiver no longer at the
    // station (their visits went to the others, as `Today::new` reads the routes).
    let gone: HashSet<&str> = day
        .current
        .routes
        .iter()
        .filter(|r| problem.caregiver_idx(&r.caregiver).is_none())
        .flat_map(|r| r.stops.iter().map(|s| s.visit.as_str()))
        .collect();
    let mut kept = day.kept();
    kept.retain(|v| problem.visit_idx(v).is_some() && !gone.contains(v.as_str()));
    let kept = Kept { before: day.current, visits: &kept, now: day.now };
    if let Some(v) = check_kept(&kept, &plan).first() {
        return Err(ReplanError::Checker(v.to_string()));
    }
    let before = starts(day.current);
    let after = starts(&plan);
    let mut inserted = Vec::new();
    for (visit, (caregiver, start)) in &after {
        if !before.contains_key(visit) {
            inserted.push((visit.clone(), caregiver.clone(), *start));
        }
    }
    inserted.sort();
    let mut moved = moved_between(day.current, &plan, day.tolerance);
    // A visit cancelled since left its route: that is no move.
    moved.retain(|m| problem.visit_idx(&m.visit).is_some());
    Ok(Replan { plan, inserted, moved })
}

/// The visits of `before`'s routes whose caregiver changed, or start by more than
/// `tolerance`, in `after`, or that left every route; by visit id.
pub fn moved_between(before: &Plan, after: &Plan, tolerance: Seconds) -> Vec<MovedVisit> {
    let after = starts(after);
    let mut moved: Vec<MovedVisit> = starts(before)
        .into_iter()
        .filter_map(|(visit, (from_caregiver, from_start))| {
            let to = after.get(&visit);
            let same = to.is_some_and(|(c, s)| {
                c == &from_caregiver && (s.0 - from_start.0).abs() <= tolerance.0
            });
            (!same).then(|| MovedVisit {
                to_caregiver: to.map(|(c, _)| c.clone()),
                to_start: to.map(|(_, s)| *s),
                visit,
                from_caregiver,
                from_start,
            })
        })
        .collect();
    moved.sort_by(|a, b| a.visit.cmp(&b.visit));
    moved
}

/// Each routed visit's caregiver and start.
fn starts(plan: &Plan) -> HashMap<String, (String, Seconds)> {
    plan.routes
        .iter()
        .flat_map(|r| r.stops.iter().map(|s| (s.visit.clone(), (r.caregiver.clone(), s.start))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::output::{build_plan, TimedRoute};
    use crate::search::testutil::{break_problem, linked_problem, meal_problem, problem};
    use crate::{Environment, MaxIterations};
    use proptest::prelude::*;

    /// A plan of `problem` in which the visits `new` are not yet routed (as if just ordered),
    /// its routes re-timed without them; `None` when taking them out breaks a route.
    fn current_plan(
        problem: &Problem,
        travel: &dyn TravelTimes,
        seed: u64,
        new: &[String],
    ) -> Option<Plan> {
        let mut env = Environment::new(seed, MaxIterations(300));
        let solved = crate::solve(problem, travel, &mut env);
        let data = Data::new(problem, travel);
        let keep = |id: &String| !new.contains(id);
        // Each route's visits with their starts (a linked visit keeps its own: the link
        // holds as solved).
        let routes: Vec<(usize, Vec<u32>, Vec<i64>)> = solved
            .routes
            .iter()
            .filter_map(|r| {
                let c = problem.caregiver_idx(&r.caregiver)?.0 as usize;
                let (visits, pins): (Vec<u32>, Vec<i64>) = r
                    .stops
                    .iter()
                    .filter(|s| keep(&s.visit))
                    .filter_map(|s| {
                        let v = problem.visit_idx(&s.visit)?.index();
                        Some((v as u32, if data.is_linked(v) { s.start.0 } else { FREE }))
                    })
                    .unzip();
                (!visits.is_empty()).then_some((c, visits, pins))
            })
            .collect();
        let mut timed = Vec::new();
        for (c, visits, pins) in &routes {
            let seq = visits.iter().zip(pins).map(|(&v, &pin)| (v as usize, pin));
            let t = timing(&data, *c, seq)?;
            timed.push(TimedRoute {
                caregiver: *c,
                visits,
                stops: t.stops,
                departure: t.departure,
                return_time: t.return_time,
                lunch_break: t.lunch_break,
            });
        }
        let unassigned: Vec<u32> = solved
            .unassigned
            .iter()
            .filter(|u| keep(&u.visit))
            .filter_map(|u| problem.visit_idx(&u.visit).map(|v| v.0))
            .collect();
        let reasons = vec![ReasonCode::NoRoom; problem.visits.len()];
        // Every route times; the new visits are in no route and not unassigned either, as a
        // day's plan is when orders have just come.
        Some(build_plan(problem, travel, timed.into_iter(), &unassigned, &reasons))
    }

    /// The day's started visits in the property tests: each route's first stop, when it was
    /// due to start before `now`.
    fn first_stops_before(plan: &Plan, now: i64) -> HashSet<String> {
        plan.routes
            .iter()
            .filter_map(|r| r.stops.first())
            .filter(|s| s.start.0 < now)
            .map(|s| s.visit.clone())
            .collect()
    }

    proptest! {
        // The same cases on every run, so CI is repeatable (PROPTEST_CASES and
        // PROPTEST_RNG_SEED explore further); found failures stay in proptest-regressions.
        #![proptest_config(ProptestConfig {
            cases: 64,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_205),
            ..ProptestConfig::default()
        })]

        /// Whatever the day looks like: the re-plan passes the checker, started visits stay
        /// where and when they were, nothing starts before now, and an absent caregiver keeps
        /// only what they started.
        #[test]
        fn replans_keep_what_happened(seed in 0u64..1000, now in 0i64..6_000, absent in 0usize..5, pin in 0usize..4, kind in 0usize..4) {
            replan_keeps_what_happened(seed, now, absent, pin, kind)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 48,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_206),
            ..ProptestConfig::default()
        })]

        /// A dispatcher's assignment, on any day, of any visit to any caregiver, at a start
        /// or anywhere: either the visit is on that caregiver's route (at that start), the
        /// plan passes the checker and what happened stays, or it is refused naming a rule.
        #[test]
        fn assignments_land_or_name_a_rule(seed in 0u64..1000, now in 0i64..6_000, which in 0usize..16, to in 0usize..4, at in proptest::option::of(0i64..40_000), kind in 0usize..4) {
            let make = [problem, break_problem, linked_problem, meal_problem][kind];
            let (problem, travel) = make(seed, 16);
            let current = current_plan(&problem, &travel, seed, &[]);
            prop_assume!(current.is_some());
            let current = current.unwrap_or_else(|| unreachable!());
            let started = first_stops_before(&current, now);
            let none = HashSet::new();
            let day = DayState {
                current: &current,
                started: &started,
                now: Seconds(now),
                absent: &none,
                pinned: &none,
                tolerance: Seconds(0),
            };
            let visit = problem.visits[which % problem.visits.len()].id.clone();
            let caregiver = problem.caregivers[to % problem.caregivers.len()].id.clone();
            match assign(&problem, &travel, &day, (&visit, &caregiver, at.map(Seconds))) {
                Ok(done) => {
                    let after = starts(&done.plan);
                    let (c, start) = after.get(&visit).cloned().unwrap_or_default();
                    prop_assert_eq!(&c, &caregiver);
                    if let Some(at) = at {
                        prop_assert_eq!(start, Seconds(at));
                    }
                    prop_assert!(start.0 >= now, "{} starts at {} before now {now}", visit, start.0);
                    let before = starts(&current);
                    for v in &started {
                        prop_assert_eq!(before.get(v), after.get(v), "started visit {} moved", v);
                    }
                }
                Err(AssignError::Breaks { rule, why }) => {
                    prop_assert!(!rule.is_empty() && !why.is_empty());
                }
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }

    /// A day the property test found wrong once: an absent caregiver keeps a linked half
    /// after a lunch break the plan had them take, which the kept visits alone could not
    /// reach (the break was timed as flexible while the kept visits were chosen).
    #[test]
    fn an_absent_caregivers_kept_half_after_a_taken_break() {
        let case = replan_keeps_what_happened(688, 3052, 1, 0, 2);
        assert!(case.is_ok(), "{case:?}");
    }

    /// The property of [`replans_keep_what_happened`] on one day.
    fn replan_keeps_what_happened(
        seed: u64,
        now: i64,
        absent: usize,
        pin: usize,
        kind: usize,
    ) -> Result<(), TestCaseError> {
        // Plain, with lunch breaks, with linked visits too, with meal rounds too.
        let make = [problem, break_problem, linked_problem, meal_problem][kind];
        let (problem, travel) = make(seed, 16);
        let new: Vec<String> = vec!["v15".into(), "v16".into()];
        let current = current_plan(&problem, &travel, seed, &new);
        prop_assume!(current.is_some());
        let current = current.unwrap_or_else(|| unreachable!());
        let started = first_stops_before(&current, now);
        let absent: HashSet<String> =
            (absent < 4).then(|| format!("c{absent}")).into_iter().collect();
        // A dispatcher locked the `pin`-th stop of every route.
        let pinned: HashSet<String> = current
            .routes
            .iter()
            .filter_map(|r| r.stops.get(pin))
            .map(|s| s.visit.clone())
            .collect();
        let day = DayState {
            current: &current,
            started: &started,
            now: Seconds(now),
            absent: &absent,
            pinned: &pinned,
            tolerance: Seconds(0),
        };
        let result = replan(&problem, &travel, &day);
        prop_assert!(result.is_ok(), "{:?}", result.err());
        let result = result.unwrap_or_else(|_| unreachable!());
        let before = starts(&current);
        let after = starts(&result.plan);
        for v in &started {
            prop_assert_eq!(before.get(v), after.get(v), "started visit {} moved", v);
        }
        let kept_pins = |after: &HashMap<String, (String, Seconds)>| {
            pinned.iter().all(|v| {
                before.get(v).is_none_or(|(c, _)| absent.contains(c))
                    || before.get(v) == after.get(v)
            })
        };
        prop_assert!(kept_pins(&after), "a pinned visit moved");
        // A lunch break that started stays; no other starts before now.
        for r in result.plan.routes.iter().filter(|r| !r.stops.is_empty()) {
            let was = current
                .routes
                .iter()
                .find(|w| w.caregiver == r.caregiver)
                .and_then(|w| w.break_start);
            match (was, r.break_start) {
                (Some(w), b) if w.0 < now => {
                    prop_assert_eq!(b, Some(w), "{}'s break moved", r.caregiver)
                }
                (_, Some(b)) => {
                    prop_assert!(b.0 >= now, "{}'s break at {} before now {now}", r.caregiver, b.0)
                }
                _ => {}
            }
        }
        for (visit, caregiver, start) in &result.inserted {
            prop_assert!(start.0 >= now, "{visit} starts at {} before now {now}", start.0);
            prop_assert!(!absent.contains(caregiver));
        }
        // An absent caregiver keeps only what they started, and besides (when the day
        // cannot be closed after that) the start of their route as planned, and the
        // halves of shared visits whose other half stayed.
        let partner = |v: &str| {
            problem.links.iter().find_map(|l| {
                (l.first == v).then_some(&l.second).or((l.second == v).then_some(&l.first))
            })
        };
        for route in result.plan.routes.iter().filter(|r| absent.contains(&r.caregiver)) {
            let was = current.routes.iter().find(|r| r.caregiver == route.caregiver);
            let shared_and_kept = |v: &String| {
                before.get(v) == after.get(v)
                    && partner(v).is_some_and(|w| before.get(w) == after.get(w))
            };
            let rest: Vec<_> = route
                .stops
                .iter()
                .filter(|s| !started.contains(&s.visit) && !shared_and_kept(&s.visit))
                .collect();
            let as_planned = was.is_some_and(|w| {
                let planned: Vec<_> =
                    w.stops.iter().filter(|s| !shared_and_kept(&s.visit)).collect();
                let kept: Vec<_> =
                    route.stops.iter().filter(|s| !shared_and_kept(&s.visit)).collect();
                planned.len() >= kept.len()
                    && planned
                        .iter()
                        .zip(&kept)
                        .all(|(a, b)| a.visit == b.visit && a.start == b.start)
            });
            prop_assert!(
                rest.is_empty() || as_planned,
                "absent {} kept part of their day",
                route.caregiver
            );
        }
        // Everything that was routed and is not the absent caregiver's is reported if it
        // changed caregiver or time.
        for m in &result.moved {
            let to = after.get(&m.visit);
            prop_assert!(to.is_none_or(|(c, s)| c != &m.from_caregiver || *s != m.from_start));
        }
        // The background improvement is never worse in the search's order — the
        // unassigned visits' weight, then visits moved among those served, then the cost —
        // and keeps what happened.
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(200);
        let better = improve(&problem, &travel, &day, &result.plan, (deadline, CancelToken::new()));
        prop_assert!(better.is_ok(), "{:?}", better.err());
        if let Some(better) = better.unwrap_or_else(|_| unreachable!()) {
            let weight = |plan: &Plan| -> i64 {
                plan.unassigned
                    .iter()
                    .filter_map(|u| problem.visit_idx(&u.visit))
                    .map(|v| crate::model::cost::unassigned_units(problem.visit(v).priority))
                    .sum()
            };
            let served_moves =
                |r: &Replan| r.moved.iter().filter(|m| m.to_caregiver.is_some()).count();
            let key = |r: &Replan| (weight(&r.plan), served_moves(r), r.plan.kpis.cost);
            prop_assert!(
                key(&better) < key(&result),
                "{:?} after improving, {:?} before",
                key(&better),
                key(&result)
            );
            let improved = starts(&better.plan);
            for v in &started {
                prop_assert_eq!(before.get(v), improved.get(v), "started visit {} moved", v);
            }
            prop_assert!(kept_pins(&improved), "the improvement moved a pinned visit");
        }
        Ok(())
    }
}
