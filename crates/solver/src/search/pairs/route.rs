//! One route of the pick-up-and-delivery search, evaluated from scratch: the rules of a
//! route (legs, windows, shift, daily limit, lunch break) plus the pairs' order, ride time
//! and box load. Routes here are short (a meal round is a dozen stops), so a full pass per
//! trial is cheaper to get right than incremental bookkeeping, and fast enough (measured in
//! `benches/meal_rounds.rs`).

use crate::eval::data::UNLIMITED;
use crate::eval::Data;
use crate::model::{Problem, ReasonCode, VisitIdx};

/// The pairs of a problem, by index.
pub struct Pairs {
    /// Per visit: its pair and whether it is the pick-up.
    pub of: Vec<Option<(u32, bool)>>,
    pub quantity: Vec<i64>,
    /// `UNLIMITED` where the pair has no limit.
    pub max_ride: Vec<i64>,
    pub pickups: Vec<Vec<u32>>,
    pub delivery: Vec<u32>,
}

impl Pairs {
    pub fn new(problem: &Problem) -> Pairs {
        let idx = |id: &String| problem.visit_idx(id).map_or(0, |v| v.0);
        Pairs {
            of: (0..problem.visits.len())
                .map(|v| problem.pair_of(VisitIdx(v as u32)).map(|(p, up)| (p as u32, up)))
                .collect(),
            quantity: problem.pairs.iter().map(|p| p.quantity).collect(),
            max_ride: problem.pairs.iter().map(|p| p.max_ride.map_or(UNLIMITED, |r| r.0)).collect(),
            pickups: problem.pairs.iter().map(|p| p.pickups.iter().map(idx).collect()).collect(),
            delivery: problem.pairs.iter().map(|p| idx(&p.delivery)).collect(),
        }
    }

    /// The order a visit belongs to: the delivery of its pair, or itself.
    pub fn order_of(&self, v: usize) -> usize {
        match self.of[v] {
            Some((p, _)) => self.delivery[p as usize] as usize,
            None => v,
        }
    }
}

/// A feasible route's day: its cost (arcs, plus the soft costs the route alone decides:
/// lateness, continuity, overtime), when the caregiver leaves and is back, and the lunch
/// break (before the stop at this position, and its start).
#[derive(Clone, Copy, Debug, Default)]
pub struct Day {
    pub cost: i64,
    pub departure: i64,
    pub return_time: i64,
    pub lunch: Option<(usize, i64)>,
}

/// Reusable buffers of an evaluation: when each pair's pick-up ended on the current pass, and
/// the stops' earliest and final starts.
#[derive(Default)]
pub struct Marks {
    picked_end: Vec<i64>,
    stamp: Vec<u32>,
    now: u32,
    earliest: Vec<i64>,
    start: Vec<i64>,
}

impl Marks {
    fn next_pass(&mut self, pairs: usize) {
        if self.stamp.len() < pairs {
            self.stamp.resize(pairs, 0);
            self.picked_end.resize(pairs, 0);
        }
        self.now = self.now.wrapping_add(1);
        if self.now == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.now = 1;
        }
    }
}

/// Where the lunch break goes: nowhere (a relaxation: a break only delays, so this is a lower
/// bound of the cost, used to rank trials) or before the stop at a position.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lunch {
    Ignored,
    At(usize),
}

/// Evaluates caregiver `c` serving `route` in order; `Err` names the first rule broken.
/// `times` receives the stops' `(arrival, start)` when given.
///
/// Two passes. Forward, every stop as early as possible: windows, legs, the box, the shift's
/// end. Backward, every stop but the last as late as the next one allows (just in time): the
/// caregiver waits at the canteen rather than with the meal in the box, so a supper picked up
/// by someone who worked all morning does not ride from 10:45. Ride times, lateness and the
/// day's length are judged on that schedule.
pub fn evaluate(
    data: &Data,
    pairs: &Pairs,
    c: usize,
    route: &[u32],
    lunch: Lunch,
    marks: &mut Marks,
    mut times: Option<&mut Vec<(i64, i64)>>,
) -> Result<Day, ReasonCode> {
    if route.is_empty() {
        let idle = data.shift_start[c];
        return Ok(Day { cost: 0, departure: idle, return_time: idle, lunch: None });
    }
    let n = route.len();
    let slot = data.cg_slot[c];
    let brk = data.brk[c].filter(|_| lunch != Lunch::Ignored);
    let brk_at = match lunch {
        Lunch::At(k) => k,
        Lunch::Ignored => usize::MAX,
    };
    let leg = |a: usize, b: usize| data.time(slot, a, b);
    let mut load: i64 = route
        .iter()
        .filter(|&&v| pairs.of[v as usize].is_none())
        .map(|&v| data.demand[v as usize])
        .sum();
    if load > data.capacity[c] {
        return Err(ReasonCode::Capacity);
    }
    // Forward: earliest starts.
    marks.next_pass(pairs.quantity.len());
    marks.earliest.clear();
    let (mut t, mut loc) = (data.shift_start[c], data.cg_start[c]);
    let mut arcs = 0i64;
    let mut last_break = None;
    for (i, &v) in route.iter().enumerate() {
        let v = v as usize;
        if let (true, Some((open, close, duration))) = (i == brk_at, brk) {
            let start = t.max(open);
            if start > close {
                return Err(ReasonCode::Break);
            }
            t = start + duration;
        }
        let to = data.visit_loc[v];
        if leg(loc, to) > data.max_leg {
            return Err(ReasonCode::MaxLeg);
        }
        arcs += data.cost(slot, loc, to);
        let start = data.start_at(v, t + leg(loc, to)).ok_or(ReasonCode::TimeWindow)?;
        match pairs.of[v] {
            None => load -= data.demand[v],
            Some((p, true)) => {
                let p = p as usize;
                marks.stamp[p] = marks.now;
                load += pairs.quantity[p];
                if load > data.capacity[c] {
                    return Err(ReasonCode::BoxCapacity);
                }
            }
            Some((p, false)) => {
                let p = p as usize;
                if marks.stamp[p] != marks.now {
                    return Err(ReasonCode::NoRoom);
                }
                load -= pairs.quantity[p];
            }
        }
        marks.earliest.push(start);
        t = start + data.duration_for(c, v);
        loc = to;
    }
    if let (true, Some((open, close, duration))) = (n == brk_at, brk) {
        let start = t.max(open);
        if start > close {
            return Err(ReasonCode::Break);
        }
        last_break = Some((n, start));
        t = start + duration;
    }
    let back = leg(loc, data.cg_end[c]);
    if back > data.max_leg {
        return Err(ReasonCode::MaxLeg);
    }
    arcs += data.cost(slot, loc, data.cg_end[c]);
    let return_time = t + back;
    if return_time > data.shift_end[c] {
        return Err(ReasonCode::Shift);
    }
    // Backward: just in time for the next stop (the last stays where it is).
    marks.start.clear();
    marks.start.extend_from_slice(&marks.earliest);
    let mut taken = last_break;
    for i in (0..n).rev() {
        let v = route[i] as usize;
        let Some(&next) = route.get(i + 1) else { continue };
        let next = next as usize;
        let mut latest_end = marks.start[i + 1] - leg(data.visit_loc[v], data.visit_loc[next]);
        if let (true, Some((_, close, duration))) = (i + 1 == brk_at, brk) {
            let start = close.min(latest_end - duration);
            taken = Some((i + 1, start));
            latest_end = start;
        }
        let latest = latest_end - data.duration_for(c, v);
        let start = data.latest_arrival_for(v, latest).unwrap_or(marks.earliest[i]);
        marks.start[i] = start.max(marks.earliest[i]);
    }
    let first_leg = leg(data.cg_start[c], data.visit_loc[route[0] as usize]);
    let departure = marks.start[0] - first_leg;
    if let (0, Some((_, close, duration))) = (brk_at, brk) {
        taken = Some((0, close.min(departure - duration)));
    }
    // Rides, lateness and continuity on the final schedule.
    marks.next_pass(pairs.quantity.len());
    let (mut lateness, mut non_preferred) = (0i64, 0i64);
    let mut free = departure;
    for (i, &v) in route.iter().enumerate() {
        let v = v as usize;
        let start = marks.start[i];
        let end = start + data.duration_for(c, v);
        match pairs.of[v] {
            Some((p, true)) => {
                marks.stamp[p as usize] = marks.now;
                marks.picked_end[p as usize] = end;
            }
            Some((p, false)) => {
                let p = p as usize;
                if marks.stamp[p] != marks.now || start - marks.picked_end[p] > pairs.max_ride[p] {
                    return Err(ReasonCode::RideTime);
                }
            }
            None => {}
        }
        lateness += data.lateness(v, start);
        non_preferred += i64::from(data.non_preferred(c, v));
        if let Some(times) = times.as_deref_mut() {
            // After a break before this stop, the caregiver leaves when it ends.
            if let Some((_, at)) = taken.filter(|&(k, _)| k == i && k > 0) {
                free = at + brk.map_or(0, |b| b.2);
            }
            let from =
                if i == 0 { data.cg_start[c] } else { data.visit_loc[route[i - 1] as usize] };
            times.push((free + leg(from, data.visit_loc[v]), start));
        }
        free = end;
    }
    let working = return_time - departure;
    if data.max_duration[c].is_some_and(|limit| working > limit) {
        return Err(ReasonCode::RouteDuration);
    }
    let overtime = data.contracted[c].map_or(0, |h| (working - h).max(0));
    let cost = arcs
        + data.route_cost
        + data.soft.lateness * lateness
        + data.soft.non_preferred * non_preferred
        + data.soft.overtime * overtime;
    Ok(Day { cost, departure, return_time, lunch: taken })
}

/// The cheapest feasible schedule of `route` for caregiver `c`, the lunch break placed
/// where it costs least; `Err` names the rule that blocks it.
pub fn best(
    data: &Data,
    pairs: &Pairs,
    c: usize,
    route: &[u32],
    marks: &mut Marks,
) -> Result<i64, ReasonCode> {
    let relaxed = evaluate(data, pairs, c, route, Lunch::Ignored, marks, None)?.cost;
    if data.brk[c].is_none() || route.is_empty() {
        return Ok(relaxed);
    }
    best_lunch(data, pairs, c, route, marks).map(|(cost, _)| cost)
}

/// The break position of least cost, with that cost.
pub fn best_lunch(
    data: &Data,
    pairs: &Pairs,
    c: usize,
    route: &[u32],
    marks: &mut Marks,
) -> Result<(i64, Lunch), ReasonCode> {
    if data.brk[c].is_none() || route.is_empty() {
        let cost = evaluate(data, pairs, c, route, Lunch::Ignored, marks, None)?.cost;
        return Ok((cost, Lunch::Ignored));
    }
    let mut found: Result<(i64, Lunch), ReasonCode> = Err(ReasonCode::Break);
    for k in 0..=route.len() {
        if let Ok(day) = evaluate(data, pairs, c, route, Lunch::At(k), marks, None) {
            if found.as_ref().is_ok_and(|(best, _)| day.cost >= *best) {
                continue;
            }
            found = Ok((day.cost, Lunch::At(k)));
        }
    }
    found
}

/// The day of a feasible route and its stops' `(arrival, start)`, for the plan.
pub fn timed(
    data: &Data,
    pairs: &Pairs,
    c: usize,
    route: &[u32],
    marks: &mut Marks,
) -> Option<(Day, Vec<(i64, i64)>)> {
    let (_, lunch) = best_lunch(data, pairs, c, route, marks).ok()?;
    let mut stops = Vec::with_capacity(route.len());
    let day = evaluate(data, pairs, c, route, lunch, marks, Some(&mut stops)).ok()?;
    Some((day, stops))
}
