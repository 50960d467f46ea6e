//! Checks one route: walks its stops in order, recomputing every leg from the travel times,
//! and verifies the reported times against the rules. Reported times may differ from the
//! earliest schedule only by waiting, so each is checked for *possibility* (arrival no
//! earlier than the previous end plus travel, start no earlier than arrival and inside a
//! window, end exactly start plus duration) rather than compared with one schedule.

use super::{violation, CheckRule, Violation};
use crate::model::{Caregiver, CaregiverIdx, Meters, Problem, Route, Seconds, VisitIdx};
use crate::travel::TravelTimes;

/// What the route contributes to the plan's figures.
pub struct RouteFigures {
    /// Each served visit with its reported start.
    pub visits: Vec<(VisitIdx, Seconds)>,
    pub travel_time: Seconds,
    pub travel_distance: Meters,
    pub longest_leg: Seconds,
    /// From leaving to returning, less an unpaid commute.
    pub working: Seconds,
}

pub fn check_route(
    problem: &Problem,
    travel: &dyn TravelTimes,
    c: CaregiverIdx,
    r: &Route,
    out: &mut Vec<Violation>,
) -> RouteFigures {
    let cg: &Caregiver = problem.caregiver(c);
    let who = Some(cg.id.as_str());
    let mut fig = RouteFigures {
        visits: Vec::with_capacity(r.stops.len()),
        travel_time: Seconds::ZERO,
        travel_distance: Meters::ZERO,
        longest_leg: Seconds::ZERO,
        working: Seconds::ZERO,
    };
    if r.stops.is_empty() {
        return fig;
    }
    // An unpaid commute (from or to the caregiver's own place) is outside the shift: the
    // working day starts on arriving at the first stop and ends on leaving the last.
    let unpaid = cg.unpaid_commute();
    let first_unpaid = match r.stops.first().and_then(|s| problem.visit_idx(&s.visit)) {
        Some(v) if unpaid && cg.commutes_from_start() => {
            travel.time(cg.profile, cg.start, problem.visit(v).location)
        }
        _ => Seconds::ZERO,
    };
    let work_starts = r.departure + first_unpaid;
    if work_starts < cg.shift.start {
        let msg = match first_unpaid {
            Seconds::ZERO => format!("leaves at {} before the shift starts at", r.departure),
            _ => format!("arrives from home at {work_starts} before the shift starts at"),
        };
        let msg = format!("{msg} {}", cg.shift.start);
        out.push(violation(CheckRule::ShiftStart, who, None, msg));
    }
    let leg_limit = cg.circle.map(|k| k.max_leg).or(problem.max_leg);
    let leg = |from,
               to,
               commute: bool,
               visit: Option<&str>,
               fig: &mut RouteFigures,
               out: &mut Vec<Violation>| {
        let t = travel.time(cg.profile, from, to);
        fig.travel_time += t;
        fig.travel_distance += travel.distance(cg.profile, from, to);
        fig.longest_leg = fig.longest_leg.max(t);
        let commute_limit = cg.commute.filter(|_| commute).map(|m| m.max);
        if t.0 >= crate::travel::NO_TRAVEL {
            let msg = "a leg the travel source has no way for".into();
            out.push(violation(CheckRule::NoTravelTime, who, visit, msg));
        } else if let Some(limit) = commute_limit {
            if let Some(limit) = limit.filter(|&l| t > l) {
                let msg = format!("a commute of {t} exceeds the commute limit {limit}");
                out.push(violation(CheckRule::MaxCommute, who, visit, msg));
            }
        } else if let Some(limit) = leg_limit.filter(|&l| t > l) {
            let msg = format!("a leg of {t} exceeds the leg limit {limit}");
            out.push(violation(CheckRule::MaxLeg, who, visit, msg));
        }
        t
    };
    let lunch = check_break_fields(cg, r, out);
    // A break before the first stop is taken before working: at the door after an unpaid
    // commute.
    let (mut loc, mut free_at) = (cg.start, work_starts);
    let mut load = 0i64;
    for (k, s) in r.stops.iter().enumerate() {
        take_break(cg, lunch, k, &mut free_at, out);
        let vid = Some(s.visit.as_str());
        let Some(v) = problem.visit_idx(&s.visit) else {
            let msg = "served but not in the problem".into();
            out.push(violation(CheckRule::UnknownVisit, who, vid, msg));
            continue;
        };
        fig.visits.push((v, s.start));
        let visit = problem.visit(v);
        if !cg.has_skills(&visit.skills) {
            let missing: Vec<&str> = visit
                .skills
                .iter()
                .filter(|k| !cg.skills.contains(k))
                .map(|k| k.as_str())
                .collect();
            let msg = format!("caregiver lacks skills {}", missing.join(", "));
            out.push(violation(CheckRule::Skills, who, vid, msg));
        }
        if visit.female_only && !cg.female {
            let msg = "the client needs a female caregiver".into();
            out.push(violation(CheckRule::Gender, who, vid, msg));
        }
        if visit.refused.contains(&cg.id) {
            let msg = "the client refused this caregiver".into();
            out.push(violation(CheckRule::Refused, who, vid, msg));
        }
        if let (Some(circle), Some(theirs), Some(ours)) = (cg.circle, &visit.station, &cg.station) {
            let reach = travel.time(cg.profile, circle.center, visit.location);
            if theirs != ours && reach > circle.reach {
                let msg = format!(
                    "a client of station {theirs}, {reach} from station {ours}, beyond its circle {}",
                    circle.reach
                );
                out.push(violation(CheckRule::Circle, who, vid, msg));
            }
        }
        let commute = k == 0 && cg.commutes_from_start();
        let t = leg(loc, visit.location, commute, vid, &mut fig, out);
        // The unpaid commute was walked before `free_at`.
        let t_now = if k == 0 { t - first_unpaid } else { t };
        if s.arrival < free_at + t_now {
            let msg = format!("arrives at {}, but cannot before {}", s.arrival, free_at + t_now);
            out.push(violation(CheckRule::Schedule, who, vid, msg));
        }
        if s.start < s.arrival {
            let msg = format!("starts at {} before arriving at {}", s.start, s.arrival);
            out.push(violation(CheckRule::Schedule, who, vid, msg));
        }
        if !visit.windows.iter().any(|w| w.contains(s.start)) {
            let msg = format!("starts at {} outside every time window", s.start);
            out.push(violation(CheckRule::TimeWindow, who, vid, msg));
        }
        let duration = problem.duration(v, c);
        if s.end != s.start + duration {
            let msg = format!("ends at {}, not start {} + duration {duration}", s.end, s.start);
            out.push(violation(CheckRule::Schedule, who, vid, msg));
        }
        load += visit.demand;
        loc = visit.location;
        // Later stops are checked against the reported end: one error is reported once.
        free_at = s.end;
    }
    take_break(cg, lunch, r.stops.len(), &mut free_at, out);
    let commute = cg.commutes_to_end();
    let t = leg(loc, cg.end, commute, None, &mut fig, out);
    if r.return_time < free_at + t {
        let msg = format!("returns at {}, but cannot before {}", r.return_time, free_at + t);
        out.push(violation(CheckRule::Schedule, who, None, msg));
    }
    let last_unpaid = if unpaid && commute { t } else { Seconds::ZERO };
    let work_ends = r.return_time - last_unpaid;
    if work_ends > cg.shift.end {
        let msg = match last_unpaid {
            Seconds::ZERO => format!("returns at {} after the shift ends at", r.return_time),
            _ => format!("leaves the last stop at {work_ends} after the shift ends at"),
        };
        let msg = format!("{msg} {}", cg.shift.end);
        out.push(violation(CheckRule::ShiftEnd, who, None, msg));
    }
    if let Some(cap) = cg.capacity {
        if load > cap {
            let msg = format!("carries {load}, capacity {cap}");
            out.push(violation(CheckRule::Capacity, who, None, msg));
        }
    }
    fig.working = work_ends - work_starts;
    if let Some(limit) = cg.max_route_duration {
        let d = fig.working;
        if d > limit {
            let msg = format!("lasts {d}, limit {limit}");
            out.push(violation(CheckRule::RouteDuration, who, None, msg));
        }
    }
    if r.travel_time != fig.travel_time || r.travel_distance != fig.travel_distance {
        let msg = format!(
            "reports travel {} / {}, recomputed {} / {}",
            r.travel_time, r.travel_distance, fig.travel_time, fig.travel_distance
        );
        out.push(violation(CheckRule::TravelFigures, who, None, msg));
    }
    fig
}

/// Checks that a caregiver with a lunch break reports one, inside its window and after an
/// existing stop, and that one without reports none; returns `(after how many stops, start,
/// duration)` of a break to follow in the walk.
fn check_break_fields(
    cg: &Caregiver,
    r: &Route,
    out: &mut Vec<Violation>,
) -> Option<(usize, Seconds, Seconds)> {
    let who = Some(cg.id.as_str());
    let mut say = |msg: String| out.push(violation(CheckRule::Break, who, None, msg));
    match (cg.lunch_break, r.break_start, r.break_after) {
        (None, None, None) => None,
        (None, _, _) => {
            say("reports a lunch break the caregiver does not have".into());
            None
        }
        (Some(_), Some(start), Some(after)) if after <= r.stops.len() => {
            let b = cg.lunch_break?;
            if !b.window.contains(start) {
                say(format!(
                    "the lunch break starts at {start}, outside {}..{}",
                    b.window.start, b.window.end
                ));
            }
            Some((after, start, b.duration))
        }
        (Some(_), _, _) => {
            say("has no lunch break (break_start and break_after, after at most every stop)".into());
            None
        }
    }
}

/// Follows the break in the walk when it comes before stop `k` (or the way back): it may not
/// start before the caregiver is free, and the caregiver is free again after it. A break
/// before the first stop is taken before leaving.
fn take_break(
    cg: &Caregiver,
    lunch: Option<(usize, Seconds, Seconds)>,
    k: usize,
    free_at: &mut Seconds,
    out: &mut Vec<Violation>,
) {
    let Some((after, start, duration)) = lunch.filter(|l| l.0 == k) else {
        return;
    };
    let who = Some(cg.id.as_str());
    if after == 0 {
        if start < cg.shift.start || start + duration > *free_at {
            let msg = format!("a break before leaving must lie between the shift start and the departure {free_at}");
            out.push(violation(CheckRule::Break, who, None, msg));
        }
        return;
    }
    if start < *free_at {
        let msg =
            format!("the lunch break starts at {start}, before the caregiver is free at {free_at}");
        out.push(violation(CheckRule::Break, who, None, msg));
    }
    *free_at = start + duration;
}
