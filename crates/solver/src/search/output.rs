//! Turns the search's index-based solutions into the external [`Plan`].

use crate::model::{
    cost, Fairness, Kpis, MealFigures, Meters, Plan, Problem, ReasonCode, Route, Seconds, Stop,
    Unassigned,
};
use crate::route::Data;
use crate::search::solution::Solution;
use crate::travel::TravelTimes;
use crate::{CaregiverIdx, VisitIdx};

/// One non-empty route with its schedule.
pub struct TimedRoute<'a> {
    pub caregiver: usize,
    pub visits: &'a [u32],
    /// `(arrival, start)` of each visit.
    pub stops: Vec<(i64, i64)>,
    pub departure: i64,
    pub return_time: i64,
    /// The lunch break: after how many visits, and when it starts.
    pub lunch_break: Option<(usize, i64)>,
}

/// The plan of `sol`; `reasons[v]` is the diagnosis of visit `v`, used if it is unassigned.
pub fn to_plan(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: &Data,
    sol: &Solution,
    reasons: &[ReasonCode],
) -> Plan {
    let routes = sol.routes.iter().filter(|r| !r.is_empty()).filter_map(|route| {
        // Solutions in the search are feasible by construction.
        let timing = route.timing(data)?;
        Some(TimedRoute {
            caregiver: route.caregiver,
            visits: &route.visits,
            stops: timing.stops,
            departure: timing.departure,
            return_time: timing.return_time,
            lunch_break: timing.lunch_break,
        })
    });
    // Pick-ups are stops on the way to orders: a pair left out is listed by its delivery.
    let orders: Vec<u32> =
        sol.unassigned.iter().copied().filter(|&v| !data.is_pickup(v as usize)).collect();
    build_plan(problem, travel, routes, &orders, reasons)
}

/// The plan of timed routes and unassigned visits, with its KPIs and cost.
pub fn build_plan<'a>(
    problem: &Problem,
    travel: &dyn TravelTimes,
    timed: impl Iterator<Item = TimedRoute<'a>>,
    unassigned_visits: &[u32],
    reasons: &[ReasonCode],
) -> Plan {
    let mut routes = Vec::new();
    let mut longest_leg = Seconds::ZERO;
    let mut soft = cost::SoftFigures::default();
    let mut per_caregiver = vec![(Seconds::ZERO, 0usize); problem.caregivers.len()];
    for route in timed {
        let c = CaregiverIdx(route.caregiver as u32);
        let cg = problem.caregiver(c);
        let mut stops = Vec::with_capacity(route.visits.len());
        let (mut travel_time, mut travel_distance) = (Seconds::ZERO, Meters::ZERO);
        let mut prev = cg.start;
        let mut first_leg = None;
        for (&v, &(arrival, start)) in route.visits.iter().zip(&route.stops) {
            let visit = problem.visit(VisitIdx(v));
            let leg = travel.time(cg.profile, prev, visit.location);
            first_leg.get_or_insert(leg);
            longest_leg = longest_leg.max(leg);
            travel_time += leg;
            travel_distance += travel.distance(cg.profile, prev, visit.location);
            let lateness = visit.lateness(Seconds(start));
            soft.lateness_total += lateness;
            soft.lateness_max = soft.lateness_max.max(lateness);
            soft.non_preferred += usize::from(problem.non_preferred(VisitIdx(v), c));
            stops.push(Stop {
                visit: visit.id.clone(),
                arrival: Seconds(arrival),
                start: Seconds(start),
                end: Seconds(start) + problem.duration(VisitIdx(v), c),
                service: Some(visit.service.to_string()),
                pickup_for: match problem.pair_of(VisitIdx(v)) {
                    Some((p, true)) => Some(problem.pairs[p].delivery.clone()),
                    _ => None,
                },
            });
            prev = visit.location;
        }
        let leg = travel.time(cg.profile, prev, cg.end);
        longest_leg = longest_leg.max(leg);
        travel_time += leg;
        travel_distance += travel.distance(cg.profile, prev, cg.end);
        // The schedule's day is the working day; an unpaid commute lies around it (the
        // search timed it as nothing, see `rules::commute`).
        let working = Seconds(route.return_time - route.departure);
        soft.overtime += cost::overtime(working, cg.contracted);
        let orders = route.visits.iter().filter(|&&v| !problem.is_pickup(VisitIdx(v))).count();
        per_caregiver[route.caregiver] = (working, orders);
        let unpaid = cg.unpaid_commute();
        let before = match first_leg {
            Some(first) if unpaid && cg.commutes_from_start() => first,
            _ => Seconds::ZERO,
        };
        let after = if unpaid && cg.commutes_to_end() { leg } else { Seconds::ZERO };
        routes.push(Route {
            caregiver: cg.id.clone(),
            departure: Seconds(route.departure) - before,
            return_time: Seconds(route.return_time) + after,
            stops,
            break_start: route.lunch_break.map(|b| Seconds(b.1)),
            break_after: route.lunch_break.map(|b| b.0),
            travel_time,
            travel_distance,
        });
    }
    let mut unassigned: Vec<Unassigned> = unassigned_visits
        .iter()
        .map(|&v| Unassigned {
            visit: problem.visit(VisitIdx(v)).id.clone(),
            reason: reasons.get(v as usize).copied().unwrap_or(ReasonCode::NoRoom),
        })
        .collect();
    unassigned.sort_by(|a, b| a.visit.cmp(&b.visit));
    let travel_time: Seconds = routes.iter().map(|r| r.travel_time).sum();
    let travel_distance: Meters = routes.iter().map(|r| r.travel_distance).sum();
    let fairness = Fairness::of(&per_caregiver);
    soft.working_spread = fairness.working_spread;
    let units: i64 = unassigned_visits
        .iter()
        .map(|&v| cost::unassigned_units(problem.visit(VisitIdx(v)).priority))
        .sum();
    let orders = problem.order_count();
    let kpis = Kpis {
        visits_total: orders,
        visits_served: orders - unassigned.len(),
        visits_unassigned: unassigned.len(),
        caregivers_used: routes.len(),
        travel_time,
        travel_distance,
        working_time: per_caregiver.iter().map(|w| w.0).sum(),
        longest_leg,
        max_leg_limit: problem.max_leg,
        cost: cost::total(
            units,
            cost::objective_term(problem.objective, routes.len(), travel_time, travel_distance)
                .saturating_add(cost::soft_term(problem.soft, &soft)),
        ),
        lateness_total: soft.lateness_total,
        lateness_max: soft.lateness_max,
        non_preferred_visits: soft.non_preferred,
        overtime: soft.overtime,
        fairness,
        meals: meal_figures(problem, &routes),
        objective: None,
    };
    Plan { problem: problem.name.clone(), routes, unassigned, kpis }
}

/// The meal rounds of the routes, if the problem has pick-up-and-delivery pairs.
fn meal_figures(problem: &Problem, routes: &[Route]) -> Option<MealFigures> {
    if problem.pairs.is_empty() {
        return None;
    }
    let mut figures = MealFigures::default();
    let mut picked_end = vec![None; problem.pairs.len()];
    for r in routes {
        let mut previous = None;
        for s in &r.stops {
            let Some(v) = problem.visit_idx(&s.visit) else { continue };
            let location = problem.visit(v).location;
            match problem.pair_of(v) {
                Some((p, true)) => {
                    picked_end[p] = Some(s.end);
                    if previous != Some((true, location)) {
                        figures.rounds += 1;
                    }
                    previous = Some((true, location));
                    continue;
                }
                Some((p, false)) => {
                    if let Some(end) = picked_end[p] {
                        let ride = s.start - end;
                        figures.delivered += 1;
                        figures.ride_total += ride;
                        figures.ride_max = figures.ride_max.max(ride);
                    }
                }
                None => {}
            }
            previous = Some((false, location));
        }
    }
    figures.ride_mean = Seconds(figures.ride_total.0 / (figures.delivered.max(1) as i64));
    Some(figures)
}
