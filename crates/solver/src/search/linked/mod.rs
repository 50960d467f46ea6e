//! The search for problems with home-care rules that tie routes together or price time:
//! linked visits (two caregivers at once, or one after the other), soft deadlines with
//! lateness cost, service times that depend on the caregiver. Routes are scheduled
//! together ([`state`]), and the search is ruin-and-recreate with simulated annealing, as
//! the plain search's driver, without its route-local operators (their O(1) move
//! evaluation assumes independent routes).

mod recreate;
mod ruin;
pub mod state;

use crate::env::Environment;
use crate::eval::Data;
use crate::model::{Plan, Problem, ReasonCode};
use crate::search::anneal::{accept, Anneal};
use crate::search::diagnose::diagnose;
use crate::search::output::{build_plan, TimedRoute};
use crate::travel::TravelTimes;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use state::{LinkedSolution, Scratch};

/// Start and end temperature, as multiples of the first solution's mean cost per visit.
const T_START: f64 = 1.0;
const T_END: f64 = 0.005;
/// SISR's average number of visits removed per ruin.
const AVG_REMOVED: usize = 10;
/// Share of ruins that remove random visits instead of strings.
const RANDOM_RUIN: f64 = 0.1;

/// Builds a plan for a problem whose rules tie routes together (`data` is its prepared
/// copy) and improves it until told to stop.
pub fn solve(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: Data,
    env: &mut Environment,
) -> Plan {
    let reasons = reasons(&data);
    let hopeless: Vec<bool> =
        reasons.iter().map(|r| r.is_hopeless() || *r == ReasonCode::Link).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(env.seed);
    let mut scratch = Scratch::default();
    let mut cur = LinkedSolution::empty(&data);
    recreate::recreate(&data, &mut cur, &mut rng, &hopeless, &mut scratch);
    cur.place_breaks(&data, &(0..data.n_caregivers).collect::<Vec<_>>());
    let mut best = cur.clone();
    report(problem, travel, &data, &best, &reasons, env);
    let servable = hopeless.iter().filter(|&&h| !h).count();
    if servable == 0 || data.n_caregivers == 0 {
        return to_plan(problem, travel, &data, &best, &reasons);
    }
    let served = (data.n_visits - cur.unassigned.len()).max(1);
    let mean = (cur.cost(&data).objective as f64 / served as f64).max(1.0);
    let avg_removed = AVG_REMOVED.min(servable).max(1);
    let mut cand = cur.clone();
    let mut anneal = Anneal::new(mean * T_START, mean * T_END, 0);
    let has_breaks = data.brk.iter().any(Option::is_some);
    let mut iter = 0u64;
    loop {
        if env.stop.should_stop(iter) || env.cancel.is_cancelled() {
            break;
        }
        let (temperature, restart) = anneal.temperature(env.stop.as_ref(), iter);
        if restart {
            cur.clone_from(&best);
        }
        cand.clone_from(&cur);
        if !ruin::ruin(&data, &mut cand, &mut rng, avg_removed, RANDOM_RUIN) {
            iter += 1;
            continue;
        }
        recreate::recreate(&data, &mut cand, &mut rng, &hopeless, &mut scratch);
        if has_breaks {
            let changed: Vec<usize> =
                (0..data.n_caregivers).filter(|&c| cand.routes[c] != cur.routes[c]).collect();
            cand.place_breaks(&data, &changed);
            // A moved break may leave room for what did not fit.
            if !cand.unassigned.is_empty() {
                recreate::recreate(&data, &mut cand, &mut rng, &hopeless, &mut scratch);
            }
        }
        #[cfg(test)]
        debug_assert!(cand.is_consistent(&data));
        if accept(cand.cost(&data), cur.cost(&data), temperature, &mut rng) {
            std::mem::swap(&mut cur, &mut cand);
            if cur.cost(&data) < best.cost(&data) {
                best.clone_from(&cur);
                report(problem, travel, &data, &best, &reasons, env);
            }
        }
        iter += 1;
    }
    to_plan(problem, travel, &data, &best, &reasons)
}

/// Why each visit would be unassigned: its own diagnosis, or `Link` when it could be
/// served alone but not with its partner on another caregiver's route.
fn reasons(data: &Data) -> Vec<ReasonCode> {
    let own: Vec<ReasonCode> = (0..data.n_visits).map(|v| diagnose(data, v)).collect();
    (0..data.n_visits)
        .map(|v| {
            let Some(l) = data.link[v] else {
                return own[v];
            };
            let p = l.partner as usize;
            let alone_blocked = !matches!(own[v], ReasonCode::NoRoom);
            if alone_blocked {
                return own[v];
            }
            let two_caregivers = (0..data.n_caregivers).any(|c| {
                data.can_serve(c, v)
                    && (0..data.n_caregivers).any(|d| d != c && data.can_serve(d, p))
            });
            if !matches!(own[p], ReasonCode::NoRoom) || !two_caregivers {
                ReasonCode::Link
            } else {
                ReasonCode::NoRoom
            }
        })
        .collect()
}

fn to_plan(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: &Data,
    sol: &LinkedSolution,
    reasons: &[ReasonCode],
) -> Plan {
    let routes = sol.routes.iter().enumerate().filter(|(_, r)| !r.is_empty()).map(|(c, r)| {
        let slot = data.cg_slot[c];
        let mut stops = Vec::with_capacity(r.len());
        let (mut t, mut loc) = (data.shift_start[c], data.cg_start[c]);
        let mut lunch_break = None;
        // The break, where the search put it (a feasible solution always has room for it).
        let mut take_break = |i: usize, t: &mut i64| {
            if let Some((open, _, duration)) = data.brk[c] {
                if sol.brk_pos[c] as usize == i {
                    let start = (*t).max(open);
                    lunch_break = Some((i, start));
                    *t = start + duration;
                }
            }
        };
        for (i, &v) in r.iter().enumerate() {
            let v = v as usize;
            let to = data.visit_loc[v];
            take_break(i, &mut t);
            stops.push((t + data.time(slot, loc, to), sol.start[v]));
            t = sol.start[v] + data.duration_for(c, v);
            loc = to;
        }
        take_break(r.len(), &mut t);
        let first_leg = data.time(slot, data.cg_start[c], data.visit_loc[r[0] as usize]);
        // Leave late enough to arrive just as the first visit starts.
        let departure = data.shift_start[c].max(stops[0].1 - first_leg);
        stops[0].0 = departure + first_leg;
        TimedRoute {
            caregiver: c,
            visits: r,
            stops,
            departure,
            return_time: t + data.time(slot, loc, data.cg_end[c]),
            lunch_break,
        }
    });
    build_plan(problem, travel, routes, &sol.unassigned, reasons)
}

fn report(
    problem: &Problem,
    travel: &dyn TravelTimes,
    data: &Data,
    best: &LinkedSolution,
    reasons: &[ReasonCode],
    env: &mut Environment,
) {
    if let Some(f) = env.on_improvement.as_mut() {
        f(&to_plan(problem, travel, data, best, reasons));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MaxIterations;
    use crate::model::{Seconds, SoftCosts, VisitLink};
    use crate::search::testutil;

    /// Random problems with linked pairs and deadlines: each accepted candidate's incremental
    /// figures equal a full recomputation (asserted inside the loop), plans pass the checker.
    #[test]
    fn incremental_schedule_matches_full_recomputation() {
        for seed in 0..20 {
            let (p, t) = testutil::problem(seed, 24);
            let mut visits = p.visits.clone();
            for (i, v) in visits.iter_mut().enumerate() {
                v.due = (i % 3 == 0).then(|| v.windows[0].start + Seconds(200));
                if i % 4 == 0 {
                    v.preferred = vec![format!("c{}", i % 3)];
                }
                v.female_only = i % 7 == 0;
            }
            let mut caregivers = p.caregivers.clone();
            for (k, c) in caregivers.iter_mut().enumerate() {
                c.female = k != 1;
                c.contracted = (k % 2 == 0).then_some(Seconds(2_000));
                c.lunch_break = (k != 2).then_some(crate::model::LunchBreak {
                    window: crate::model::TimeWindow::new(Seconds(2_000), Seconds(3_000)),
                    duration: Seconds(300),
                });
            }
            let links = (0..6)
                .map(|k| VisitLink {
                    first: format!("v{}", 2 * k + 1),
                    second: format!("v{}", 2 * k + 2),
                    min_gap: Seconds(if k % 2 == 0 { 0 } else { -300 }),
                    max_gap: Seconds(if k % 2 == 0 { 0 } else { 600 }),
                })
                .collect();
            let problem = Problem::new(
                "linked",
                visits,
                caregivers,
                p.num_locations,
                1,
                p.max_leg,
                p.objective,
                1,
            )
            .and_then(|p| p.with_links(links))
            .and_then(|p| {
                p.with_soft_costs(SoftCosts {
                    lateness: 2,
                    max_lateness: 5,
                    non_preferred: 300,
                    overtime: 3,
                    working_spread: 1,
                })
            })
            .expect("valid");
            let mut env = Environment::new(seed, MaxIterations(300));
            let plan = solve(&problem, &t, Data::new(&problem, &t), &mut env);
            let report = crate::check::check(&problem, &t, &plan);
            assert!(report.is_feasible(), "seed {seed}: {:?}", report.violations);
            assert_eq!(report.cost, plan.kpis.cost, "seed {seed}");
        }
    }
}
