//! The independent plan checker. It recomputes everything from the problem, the travel
//! times and each route's visit order, and lists every broken rule. It deliberately shares
//! no code with the solver's evaluation (`route/`) or search: a bug there must not hide
//! here. Only the cost *definition* (`model::cost`) is shared, as a specification.

mod kept;
mod links;
mod pairs;
mod route;
mod violation;

pub use kept::{check_kept, Kept};
pub use violation::{CheckRule, Violation};

use crate::model::{cost, Cost, Meters, Plan, Problem, Seconds};
use crate::travel::TravelTimes;
use serde::{Deserialize, Serialize};

/// What the checker found and the figures it recomputed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub violations: Vec<Violation>,
    pub travel_time: Seconds,
    pub travel_distance: Meters,
    pub longest_leg: Seconds,
    /// Routes with at least one stop.
    pub routes_used: usize,
    /// Orders served and not: every visit but the pick-ups of pairs.
    pub visits_served: usize,
    pub visits_unassigned: usize,
    /// The soft rules' figures from the reported times: lateness after the visits' `due`
    /// times, visits by someone other than a usual caregiver, overtime, working spread.
    pub soft: cost::SoftFigures,
    /// The plan's cost as `model::cost` defines it, from the recomputed figures.
    pub cost: Cost,
}

impl CheckReport {
    /// No rule is broken.
    pub fn is_feasible(&self) -> bool {
        self.violations.is_empty()
    }

    /// Whether some violation is of this rule.
    pub fn has(&self, rule: CheckRule) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }
}

/// Checks `plan` against `problem`; see [`CheckRule`] for what is verified.
pub fn check(problem: &Problem, travel: &dyn TravelTimes, plan: &Plan) -> CheckReport {
    let mut report = CheckReport::default();
    let mut out = Vec::new();
    let mut served = vec![0usize; problem.visits.len()];
    let mut working = vec![Seconds::ZERO; problem.caregivers.len()];
    // Who served each visit and when, for the links (the first report wins on duplicates,
    // which are reported on their own).
    let mut served_by: Vec<Option<(usize, Seconds)>> = vec![None; problem.visits.len()];
    let mut caregiver_seen = vec![false; problem.caregivers.len()];
    for r in &plan.routes {
        let Some(c) = problem.caregiver_idx(&r.caregiver) else {
            out.push(violation(
                CheckRule::UnknownCaregiver,
                Some(&r.caregiver),
                None,
                "no such caregiver in the problem".into(),
            ));
            // Still count its stops as served, so they are not also reported missing.
            for s in &r.stops {
                if let Some(v) = problem.visit_idx(&s.visit) {
                    served[v.index()] += 1;
                }
            }
            continue;
        };
        if std::mem::replace(&mut caregiver_seen[c.index()], true) {
            out.push(violation(
                CheckRule::CaregiverUsedTwice,
                Some(&r.caregiver),
                None,
                "has more than one route".into(),
            ));
        }
        let figures = route::check_route(problem, travel, c, r, &mut out);
        let working_time = figures.working;
        for (v, start) in figures.visits {
            served[v.index()] += 1;
            served_by[v.index()].get_or_insert((c.index(), start));
            let lateness = problem.visit(v).lateness(start);
            report.soft.lateness_total += lateness;
            report.soft.lateness_max = report.soft.lateness_max.max(lateness);
            report.soft.non_preferred += usize::from(problem.non_preferred(v, c));
        }
        report.travel_time += figures.travel_time;
        report.travel_distance += figures.travel_distance;
        report.longest_leg = report.longest_leg.max(figures.longest_leg);
        if !r.stops.is_empty() {
            report.routes_used += 1;
            let cg = problem.caregiver(c);
            working[c.index()] = working_time;
            report.soft.overtime += cost::overtime(working_time, cg.contracted);
        }
    }
    report.soft.working_spread = cost::working_spread(working.iter().copied());
    let mut listed = vec![0usize; problem.visits.len()];
    for u in &plan.unassigned {
        match problem.visit_idx(&u.visit) {
            Some(v) => listed[v.index()] += 1,
            None => out.push(violation(
                CheckRule::UnknownVisit,
                None,
                Some(&u.visit),
                "listed unassigned but not in the problem".into(),
            )),
        }
    }
    let mut unassigned_units = 0i64;
    for (i, visit) in problem.visits.iter().enumerate() {
        let id = Some(visit.id.as_str());
        if served[i] > 1 {
            let msg = format!("served {} times", served[i]);
            out.push(violation(CheckRule::VisitServedTwice, None, id, msg));
        }
        if listed[i] > 1 {
            let msg = format!("listed unassigned {} times", listed[i]);
            out.push(violation(CheckRule::UnassignedTwice, None, id, msg));
        }
        if served[i] > 0 && listed[i] > 0 {
            let msg = "served and listed unassigned".into();
            out.push(violation(CheckRule::ServedAndUnassigned, None, id, msg));
        }
        // A pick-up is a stop on the way to an order, not an order: the pair rules account
        // for it.
        if problem.is_pickup(crate::model::VisitIdx(i as u32)) {
            continue;
        }
        if served[i] == 0 && listed[i] == 0 {
            let msg = "neither served nor listed unassigned".into();
            out.push(violation(CheckRule::VisitMissing, None, id, msg));
        }
        if served[i] == 0 {
            report.visits_unassigned += 1;
            unassigned_units += cost::unassigned_units(visit.priority);
        } else {
            report.visits_served += 1;
        }
    }
    links::check_links(problem, &served_by, &mut out);
    pairs::check_pairs(problem, plan, &mut out);
    report.cost = cost::total(
        unassigned_units,
        cost::objective_term(
            problem.objective,
            report.routes_used,
            report.travel_time,
            report.travel_distance,
        )
        .saturating_add(cost::soft_term(problem.soft, &report.soft)),
    );
    report.violations = out;
    report
}

fn violation(
    rule: CheckRule,
    caregiver: Option<&str>,
    visit: Option<&str>,
    message: String,
) -> Violation {
    Violation { rule, caregiver: caregiver.map(Into::into), visit: visit.map(Into::into), message }
}
