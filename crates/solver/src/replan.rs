//! Re-planning a day that has begun, keeping what happened: visits already started (or
//! planned to start before now) stay where they are; new visits, and the remaining visits of
//! absent caregivers, are inserted one by one where they move the fewest other visits to
//! another caregiver or time, then where they add the least travel. Routes that are not
//! touched are kept exactly as they were. The result passes the independent checker.

use crate::check::check;
use crate::eval::data::FREE;
use crate::eval::schedule::{timing, Timing};
use crate::eval::Data;
use crate::model::{Plan, Problem, ReasonCode, Seconds};
use crate::search::diagnose::diagnose;
use crate::search::output::{build_plan, TimedRoute};
use crate::travel::TravelTimes;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use thiserror::Error;

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

/// A visit whose caregiver or start changed (or that was dropped from the plan).
#[derive(Clone, Debug, PartialEq, Serialize)]
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
}

struct RouteNow {
    visits: Vec<u32>,
    /// `(arrival, start)` per visit, as planned now.
    stops: Vec<(i64, i64)>,
    departure: i64,
    return_time: i64,
    /// The first `locked` visits have happened or are under way.
    locked: usize,
    /// Changed by the re-plan: its schedule is recomputed (and it has no lunch break).
    touched: bool,
    lunch_break: Option<(usize, i64)>,
}

impl RouteNow {
    /// Takes a new schedule: the route is touched, and (placed greedily) has no lunch break.
    fn set(&mut self, t: Timing) {
        self.stops = t.stops;
        self.departure = t.departure;
        self.return_time = t.return_time;
        self.touched = true;
        self.lunch_break = None;
    }
}

/// Re-plans `problem` (every open visit of the day) from the day's state.
pub fn replan(
    problem: &Problem,
    travel: &dyn TravelTimes,
    day: &DayState,
) -> Result<Replan, ReplanError> {
    let data = Data::new(problem, travel);
    let now = day.now.0;
    let pins = pins(problem, day.current, day);
    let (mut routes, mut pending) = load(problem, &data, day.current, day, &pins);
    // The tightest windows first: they have the fewest places to go.
    pending.sort_by_key(|&v| (data.windows(v as usize).last().map_or(i64::MAX, |w| w.1), v));
    let absent = absent_indices(problem, day);
    let mut unassigned = Vec::new();
    for v in pending {
        let best = best_insertion(&data, &routes, &absent, &pins, v as usize, now, day.tolerance.0);
        match best {
            Some((c, p, timed)) => {
                let r = &mut routes[c];
                r.visits.insert(p, v);
                r.set(timed);
            }
            None => unassigned.push(v),
        }
    }
    finish(problem, travel, &data, &routes, &unassigned, day)
}

/// Improves a re-plan in the background: moves single visits (not locked ones) to where the
/// plan has fewer visits moved against the day's plan before the event, or as many and less
/// travel, until nothing improves or `deadline`. `Ok(None)` when nothing did.
pub fn improve(
    problem: &Problem,
    travel: &dyn TravelTimes,
    day: &DayState,
    from: &Plan,
    deadline: std::time::Instant,
) -> Result<Option<Replan>, ReplanError> {
    let data = Data::new(problem, travel);
    let pins = pins(problem, from, day);
    let (mut routes, pending) = load(problem, &data, from, day, &pins);
    let absent = absent_indices(problem, day);
    let before: Vec<Option<(usize, i64)>> = {
        let by_id = starts(day.current);
        problem
            .visits
            .iter()
            .map(|v| {
                by_id
                    .get(&v.id)
                    .and_then(|(c, s)| problem.caregiver_idx(c).map(|c| (c.0 as usize, s.0)))
            })
            .collect()
    };
    let score = |c: usize, visits: &[u32], stops: &[(i64, i64)]| {
        route_score(&data, c, visits, stops, &before, day.tolerance.0)
    };
    // Routes with a lunch break keep their shape: the moves here do not place breaks.
    let fixed = |c: usize| data.brk[c].is_some();
    let mut improved = false;
    'passes: loop {
        let mut any = false;
        for a in 0..routes.len() {
            if fixed(a) {
                continue;
            }
            let mut i = routes[a].locked;
            while i < routes[a].visits.len() {
                if std::time::Instant::now() >= deadline {
                    break 'passes;
                }
                let v = routes[a].visits[i];
                if pins[v as usize].is_some() {
                    i += 1;
                    continue;
                }
                let mut rest = routes[a].visits.clone();
                rest.remove(i);
                let locked_a = &routes[a].stops[..routes[a].locked];
                let Some(ta) = timing_locked(&data, a, &rest, locked_a, routes[a].departure, &pins)
                else {
                    i += 1;
                    continue;
                };
                let old_a = score(a, &routes[a].visits, &routes[a].stops);
                let new_a = score(a, &rest, &ta.stops);
                // (change in moved visits and travel, route, position, its schedule)
                let mut best: Option<((i64, i64), usize, usize, Timing)> = None;
                for (b, r) in routes.iter().enumerate() {
                    if absent.contains(&b) || fixed(b) || !data.can_serve(b, v as usize) {
                        continue;
                    }
                    let base: &[u32] = if b == a { &rest } else { &r.visits };
                    let old_b = if b == a { new_a } else { score(b, &r.visits, &r.stops) };
                    for j in r.locked..=base.len() {
                        if b == a && j == i {
                            continue;
                        }
                        let mut seq = base.to_vec();
                        seq.insert(j, v);
                        let locked_b = &r.stops[..r.locked];
                        let Some(tb) = timing_locked(&data, b, &seq, locked_b, r.departure, &pins)
                        else {
                            continue;
                        };
                        if tb.stops[j].1 < day.now.0 {
                            continue;
                        }
                        let new_b = score(b, &seq, &tb.stops);
                        let delta = if b == a {
                            (new_b.0 - old_a.0, new_b.1 - old_a.1)
                        } else {
                            (
                                new_a.0 + new_b.0 - old_a.0 - old_b.0,
                                new_a.1 + new_b.1 - old_a.1 - old_b.1,
                            )
                        };
                        if delta < (0, 0) && best.as_ref().is_none_or(|x| delta < x.0) {
                            best = Some((delta, b, j, tb));
                        }
                    }
                }
                match best {
                    Some((_, b, j, tb)) => {
                        routes[a].visits = rest;
                        if b != a {
                            routes[a].set(ta);
                        }
                        routes[b].visits.insert(j, v);
                        routes[b].set(tb);
                        any = true;
                        improved = true;
                    }
                    None => i += 1,
                }
            }
        }
        if !any {
            break;
        }
    }
    if !improved {
        return Ok(None);
    }
    finish(problem, travel, &data, &routes, &pending, day).map(Some)
}

/// `(visits moved against the day's plan before the event, travel)` of one route.
fn route_score(
    data: &Data,
    c: usize,
    visits: &[u32],
    stops: &[(i64, i64)],
    before: &[Option<(usize, i64)>],
    tolerance: i64,
) -> (i64, i64) {
    let moved = visits
        .iter()
        .zip(stops)
        .filter(|&(&v, &(_, start))| {
            before[v as usize].is_some_and(|(bc, bs)| bc != c || (start - bs).abs() > tolerance)
        })
        .count() as i64;
    let slot = data.cg_slot[c];
    let mut loc = data.cg_start[c];
    let mut travel = 0;
    for &v in visits {
        travel += data.time(slot, loc, data.visit_loc[v as usize]);
        loc = data.visit_loc[v as usize];
    }
    if !visits.is_empty() {
        travel += data.time(slot, loc, data.cg_end[c]);
    }
    (moved, travel)
}

fn absent_indices(problem: &Problem, day: &DayState) -> HashSet<usize> {
    day.absent.iter().filter_map(|id| problem.caregiver_idx(id)).map(|c| c.0 as usize).collect()
}

/// The routes of `plan` as they stand now (locked prefixes, absent caregivers' remaining
/// visits taken off), and the visits of the day in no route.
/// The start each pinned visit keeps, by visit index: the visit is in `plan` on a caregiver
/// who is not absent.
fn pins(problem: &Problem, plan: &Plan, day: &DayState) -> Vec<Option<i64>> {
    let mut pins = vec![None; problem.visits.len()];
    for route in plan.routes.iter().filter(|r| !day.absent.contains(&r.caregiver)) {
        for stop in route.stops.iter().filter(|s| day.pinned.contains(&s.visit)) {
            if let Some(v) = problem.visit_idx(&stop.visit) {
                pins[v.0 as usize] = Some(stop.start.0);
            }
        }
    }
    pins
}

fn load(
    problem: &Problem,
    data: &Data,
    plan: &Plan,
    day: &DayState,
    pins: &[Option<i64>],
) -> (Vec<RouteNow>, Vec<u32>) {
    let now = day.now.0;
    let mut routes: Vec<RouteNow> = (0..problem.caregivers.len())
        .map(|_| RouteNow {
            visits: Vec::new(),
            stops: Vec::new(),
            departure: 0,
            return_time: 0,
            locked: 0,
            touched: false,
            lunch_break: None,
        })
        .collect();
    let mut placed = vec![false; problem.visits.len()];
    let mut pending: Vec<u32> = Vec::new();
    for route in &plan.routes {
        let Some(c) = problem.caregiver_idx(&route.caregiver) else {
            // A caregiver no longer at the station: their visits go to the others.
            pending.extend(
                route.stops.iter().filter_map(|s| problem.visit_idx(&s.visit)).map(|v| v.0),
            );
            continue;
        };
        let r = &mut routes[c.0 as usize];
        for stop in &route.stops {
            // A visit cancelled since has no index: it simply leaves the route.
            let Some(v) = problem.visit_idx(&stop.visit) else {
                r.touched = true;
                continue;
            };
            if placed[v.0 as usize] {
                continue;
            }
            placed[v.0 as usize] = true;
            r.visits.push(v.0);
            r.stops.push((stop.arrival.0, stop.start.0));
        }
        r.departure = route.departure.0;
        r.return_time = route.return_time.0;
        r.lunch_break = route.break_after.zip(route.break_start.map(|s| s.0));
        // A working caregiver's past stays as planned; an absent one keeps only what they
        // started: the rest, due or overdue, is for others if it still can be.
        let absent = day.absent.contains(&route.caregiver);
        r.locked = route
            .stops
            .iter()
            .take_while(|s| day.started.contains(&s.visit) || (!absent && s.start.0 < now))
            .count()
            .min(r.visits.len());
        // What is still to come no longer fits the day as it is now (a client moved, the
        // roads changed): it is placed again, like an absent caregiver's. Unless the day
        // cannot be closed after what happened (the way back from the last started visit is
        // over the leg limit): then the route stays whole, to be sorted out by hand.
        let times = |visits: &[u32]| {
            timing_locked(data, c.0 as usize, visits, &r.stops[..r.locked], r.departure, pins)
                .is_some()
        };
        let fits = times(&r.visits);
        if (absent || !fits) && r.visits.len() > r.locked && times(&r.visits[..r.locked]) {
            pending.extend(r.visits.drain(r.locked..));
            r.stops.truncate(r.locked);
            r.touched = true;
        }
    }
    for (v, &in_route) in placed.iter().enumerate() {
        if !in_route && !pending.contains(&(v as u32)) {
            pending.push(v as u32);
        }
    }
    for (c, r) in routes.iter_mut().enumerate().filter(|(_, r)| r.touched) {
        // Only removals touched it so far: the shorter route keeps its order and only starts
        // earlier where windows allow; a route that no longer times is left to the checker.
        if let Some(t) = timing_locked(data, c, &r.visits, &r.stops[..r.locked], r.departure, pins)
        {
            r.stops = t.stops;
            r.departure = t.departure;
            r.return_time = t.return_time;
        }
        r.lunch_break = None;
    }
    (routes, pending)
}

/// The plan of `routes`, checked, with what changed against the day's plan before.
fn finish(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: &Data,
    routes: &[RouteNow],
    unassigned: &[u32],
    day: &DayState,
) -> Result<Replan, ReplanError> {
    let timed =
        routes.iter().enumerate().filter(|(_, r)| !r.visits.is_empty()).map(|(c, r)| TimedRoute {
            caregiver: c,
            visits: &r.visits,
            stops: r.stops.clone(),
            departure: r.departure,
            return_time: r.return_time,
            lunch_break: r.lunch_break,
        });
    // Only the unassigned visits' reasons are read.
    let reasons: Vec<ReasonCode> =
        (0..problem.visits.len())
            .map(|v| {
                if unassigned.contains(&(v as u32)) {
                    diagnose(data, v)
                } else {
                    ReasonCode::NoRoom
                }
            })
            .collect();
    let plan = build_plan(problem, travel, timed, unassigned, &reasons);
    if let Some(v) = check(problem, travel, &plan).violations.first() {
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

/// Where visit `v` moves the fewest visits, then adds the least travel: `(caregiver,
/// position, new schedule)`, or `None` if it fits nowhere.
fn best_insertion(
    data: &Data,
    routes: &[RouteNow],
    absent: &HashSet<usize>,
    pins: &[Option<i64>],
    v: usize,
    now: i64,
    tolerance: i64,
) -> Option<(usize, usize, Timing)> {
    let mut best: Option<((usize, i64), usize, usize, Timing)> = None;
    for (c, r) in routes.iter().enumerate() {
        // A caregiver with a lunch break keeps their route as planned: this greedy
        // insertion does not place breaks.
        if absent.contains(&c) || !data.can_serve(c, v) || data.brk[c].is_some() {
            continue;
        }
        let slot = data.cg_slot[c];
        let travel = |seq: &mut dyn Iterator<Item = usize>| {
            let mut loc = data.cg_start[c];
            let mut total = 0;
            for w in seq {
                total += data.time(slot, loc, data.visit_loc[w]);
                loc = data.visit_loc[w];
            }
            total + data.time(slot, loc, data.cg_end[c])
        };
        let before = travel(&mut r.visits.iter().map(|&w| w as usize));
        for p in r.locked..=r.visits.len() {
            let seq = || {
                r.visits[..p]
                    .iter()
                    .map(|&w| w as usize)
                    .chain(std::iter::once(v))
                    .chain(r.visits[p..].iter().map(|&w| w as usize))
            };
            let visits: Vec<u32> = seq().map(|w| w as u32).collect();
            let Some(t) = timing_locked(data, c, &visits, &r.stops[..r.locked], r.departure, pins)
            else {
                continue;
            };
            if t.stops[p].1 < now {
                continue;
            }
            let moved = r
                .stops
                .iter()
                .enumerate()
                .filter(|&(i, &(_, old))| {
                    let new = if i < p { t.stops[i].1 } else { t.stops[i + 1].1 };
                    (new - old).abs() > tolerance
                })
                .count();
            let key = (moved, travel(&mut seq()) - before);
            if best.as_ref().is_none_or(|b| key < b.0) {
                best = Some((key, c, p, t));
            }
        }
    }
    best.map(|(_, c, p, t)| (c, p, t))
}

/// The schedule of caregiver `c` serving `visits`, of which the first `locked.len()` keep
/// their planned `(arrival, start)` (they happened, or are happening) and the departure
/// stays; the rest as early as possible after them, but a pinned visit (`pins`, by visit
/// index) exactly at its pinned start. `None` if a rule breaks or a pin cannot be kept.
fn timing_locked(
    data: &Data,
    c: usize,
    visits: &[u32],
    locked: &[(i64, i64)],
    departure: i64,
    pins: &[Option<i64>],
) -> Option<Timing> {
    let Some(&(_, last_start)) = locked.last() else {
        let t = timing(data, c, visits.iter().map(|&v| (v as usize, FREE)))?;
        // The earliest schedule keeps a pin when it reaches the pinned visit in time; it
        // waits there (a pinned start lies in a window, as it was planned).
        if visits.iter().all(|&v| pins[v as usize].is_none()) {
            return Some(t);
        }
        return timing_from(data, c, visits, None, t.departure, pins);
    };
    timing_from(data, c, visits, Some((locked, last_start)), departure, pins)
}

/// The schedule after the locked stops (or from the depot at `departure` without any).
fn timing_from(
    data: &Data,
    c: usize,
    visits: &[u32],
    locked: Option<(&[(i64, i64)], i64)>,
    departure: i64,
    pins: &[Option<i64>],
) -> Option<Timing> {
    let slot = data.cg_slot[c];
    let (mut loc, mut t, mut stops) = match locked {
        Some((locked, last_start)) => {
            let last = visits[locked.len() - 1] as usize;
            (data.visit_loc[last], last_start + data.duration[last], locked.to_vec())
        }
        None => (data.cg_start[c], departure, Vec::new()),
    };
    for &v in &visits[stops.len()..] {
        let v = v as usize;
        let leg = data.time(slot, loc, data.visit_loc[v]);
        if leg > data.max_leg {
            return None;
        }
        let arrival = t + leg;
        let start = match pins[v] {
            Some(pinned) if arrival <= pinned => pinned,
            Some(_) => return None,
            None => data.start_at(v, arrival)?,
        };
        stops.push((arrival, start));
        t = start + data.duration[v];
        loc = data.visit_loc[v];
    }
    let leg = data.time(slot, loc, data.cg_end[c]);
    let return_time = t + leg;
    let load: i64 = visits.iter().map(|&v| data.demand[v as usize]).sum();
    let too_long = data.max_duration[c].is_some_and(|limit| return_time - departure > limit);
    if leg > data.max_leg || return_time > data.shift_end[c] || load > data.capacity[c] || too_long
    {
        return None;
    }
    Some(Timing { departure, stops, return_time, lunch_break: None })
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
    use crate::search::testutil::problem;
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
        let routes: Vec<(usize, Vec<u32>)> = solved
            .routes
            .iter()
            .filter_map(|r| {
                let c = problem.caregiver_idx(&r.caregiver)?.0 as usize;
                let visits = r
                    .stops
                    .iter()
                    .filter(|s| keep(&s.visit))
                    .filter_map(|s| problem.visit_idx(&s.visit).map(|v| v.0))
                    .collect::<Vec<_>>();
                (!visits.is_empty()).then_some((c, visits))
            })
            .collect();
        let mut timed = Vec::new();
        for (c, visits) in &routes {
            let t = timing(&data, *c, visits.iter().map(|&v| (v as usize, FREE)))?;
            timed.push(TimedRoute {
                caregiver: *c,
                visits,
                stops: t.stops,
                departure: t.departure,
                return_time: t.return_time,
                lunch_break: None,
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the day looks like: the re-plan passes the checker, started visits stay
        /// where and when they were, nothing starts before now, and an absent caregiver keeps
        /// only what they started.
        #[test]
        fn replans_keep_what_happened(seed in 0u64..1000, now in 0i64..6_000, absent in 0usize..5, pin in 0usize..4) {
            let (problem, travel) = problem(seed, 16);
            let new: Vec<String> = vec!["v15".into(), "v16".into()];
            let current = current_plan(&problem, &travel, seed, &new);
            prop_assume!(current.is_some());
            let current = current.unwrap_or_else(|| unreachable!());
            let started: HashSet<String> = current
                .routes
                .iter()
                .filter_map(|r| r.stops.first())
                .filter(|s| s.start.0 < now)
                .map(|s| s.visit.clone())
                .collect();
            let absent: HashSet<String> = (absent < 4).then(|| format!("c{absent}")).into_iter().collect();
            // A dispatcher locked the `pin`-th stop of every route.
            let pinned: HashSet<String> =
                current.routes.iter().filter_map(|r| r.stops.get(pin)).map(|s| s.visit.clone()).collect();
            let day = DayState { current: &current, started: &started, now: Seconds(now), absent: &absent, pinned: &pinned, tolerance: Seconds(0) };
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
                    before.get(v).is_none_or(|(c, _)| absent.contains(c)) || before.get(v) == after.get(v)
                })
            };
            prop_assert!(kept_pins(&after), "a pinned visit moved");
            for (visit, caregiver, start) in &result.inserted {
                prop_assert!(start.0 >= now, "{visit} starts at {} before now {now}", start.0);
                prop_assert!(!absent.contains(caregiver));
            }
            // An absent caregiver keeps only what they started, or (when the day cannot be
            // closed after that) their whole route as it was.
            for route in result.plan.routes.iter().filter(|r| absent.contains(&r.caregiver)) {
                let was = current.routes.iter().find(|r| r.caregiver == route.caregiver);
                let whole = was.is_some_and(|w| w.stops.len() == route.stops.len());
                let only_started = route.stops.iter().all(|s| started.contains(&s.visit));
                prop_assert!(only_started || whole, "absent {} kept part of their day", route.caregiver);
            }
            // Everything that was routed and is not the absent caregiver's is reported if it
            // changed caregiver or time.
            for m in &result.moved {
                let to = after.get(&m.visit);
                prop_assert!(to.is_none_or(|(c, s)| c != &m.from_caregiver || *s != m.from_start));
            }
            // The background improvement never moves more visits, never adds travel for as
            // many moves, and keeps what happened.
            let deadline = std::time::Instant::now() + std::time::Duration::from_millis(200);
            let better = improve(&problem, &travel, &day, &result.plan, deadline);
            prop_assert!(better.is_ok(), "{:?}", better.err());
            if let Some(better) = better.unwrap_or_else(|_| unreachable!()) {
                let (m0, m1) = (result.moved.len(), better.moved.len());
                prop_assert!(m1 <= m0, "{m1} moved after improving, {m0} before");
                if m1 == m0 {
                    prop_assert!(better.plan.kpis.travel_time <= result.plan.kpis.travel_time);
                }
                let improved = starts(&better.plan);
                for v in &started {
                    prop_assert_eq!(before.get(v), improved.get(v), "started visit {} moved", v);
                }
                prop_assert!(kept_pins(&improved), "the improvement moved a pinned visit");
                prop_assert_eq!(better.plan.kpis.visits_served, result.plan.kpis.visits_served);
            }
        }
    }
}
