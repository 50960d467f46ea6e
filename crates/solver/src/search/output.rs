//! Turns the search's index-based solution into the external [`Plan`].

use crate::eval::Data;
use crate::model::{
    cost, Kpis, Meters, Plan, Problem, ReasonCode, Route, Seconds, Stop, Unassigned,
};
use crate::search::solution::Solution;
use crate::travel::TravelTimes;
use crate::{CaregiverIdx, VisitIdx};

/// The plan of `sol`; `reasons[v]` is the diagnosis of visit `v`, used if it is unassigned.
pub fn to_plan(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: &Data,
    sol: &Solution,
    reasons: &[ReasonCode],
) -> Plan {
    let mut routes = Vec::new();
    let mut longest_leg = Seconds::ZERO;
    for route in sol.routes.iter().filter(|r| !r.is_empty()) {
        let cg = problem.caregiver(CaregiverIdx(route.caregiver as u32));
        // Solutions in the search are feasible by construction.
        let Some(timing) = route.timing(data) else {
            continue;
        };
        let mut stops = Vec::with_capacity(route.len());
        let (mut travel_time, mut travel_distance) = (Seconds::ZERO, Meters::ZERO);
        let mut prev = cg.start;
        for (&v, &(arrival, start)) in route.visits.iter().zip(&timing.stops) {
            let visit = problem.visit(VisitIdx(v));
            let leg = travel.time(cg.profile, prev, visit.location);
            longest_leg = longest_leg.max(leg);
            travel_time += leg;
            travel_distance += travel.distance(cg.profile, prev, visit.location);
            stops.push(Stop {
                visit: visit.id.clone(),
                arrival: Seconds(arrival),
                start: Seconds(start),
                end: Seconds(start) + visit.duration,
            });
            prev = visit.location;
        }
        let leg = travel.time(cg.profile, prev, cg.end);
        longest_leg = longest_leg.max(leg);
        travel_time += leg;
        travel_distance += travel.distance(cg.profile, prev, cg.end);
        routes.push(Route {
            caregiver: cg.id.clone(),
            departure: Seconds(timing.departure),
            return_time: Seconds(timing.return_time),
            stops,
            travel_time,
            travel_distance,
        });
    }
    let mut unassigned: Vec<Unassigned> = sol
        .unassigned
        .iter()
        .map(|&v| Unassigned {
            visit: problem.visit(VisitIdx(v)).id.clone(),
            reason: reasons.get(v as usize).copied().unwrap_or(ReasonCode::NoRoom),
        })
        .collect();
    unassigned.sort_by(|a, b| a.visit.cmp(&b.visit));
    let travel_time: Seconds = routes.iter().map(|r| r.travel_time).sum();
    let travel_distance: Meters = routes.iter().map(|r| r.travel_distance).sum();
    let units: i64 = sol.unassigned.iter().map(|&v| data.weight[v as usize]).sum();
    let kpis = Kpis {
        visits_total: problem.visits.len(),
        visits_served: problem.visits.len() - unassigned.len(),
        visits_unassigned: unassigned.len(),
        caregivers_used: routes.len(),
        travel_time,
        travel_distance,
        working_time: routes.iter().map(|r| r.return_time - r.departure).sum(),
        longest_leg,
        max_leg_limit: problem.max_leg,
        cost: cost::total(
            units,
            cost::objective_term(problem.objective, routes.len(), travel_time, travel_distance),
        ),
    };
    Plan { problem: problem.name.clone(), routes, unassigned, kpis }
}
