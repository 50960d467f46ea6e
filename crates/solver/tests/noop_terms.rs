//! A rule that changes nothing costs nothing: with a fixed seed and iteration budget, a day
//! with a home-care term that can never bind is planned exactly as the plain day — the same
//! routes, the same times, the same unassigned visits — and both plans pass the checker.

mod common;

use solver::{Plan, Problem, Seconds, SoftCosts, TravelMatrices};

const ITERATIONS: u64 = 400;

/// The plain day and its plan.
fn plain(seed: u64) -> (Problem, TravelMatrices, Plan) {
    let (problem, travel) = common::random_problem(seed, 40, 5);
    let plan = common::solve(&problem, &travel, seed, ITERATIONS);
    common::assert_feasible(&problem, &travel, &plan);
    (problem, travel, plan)
}

/// The same day rebuilt with `change` applied to its visits and caregivers, and `weights`.
fn variant(
    problem: &Problem,
    weights: SoftCosts,
    change: impl Fn(&mut Vec<solver::Visit>, &mut Vec<solver::Caregiver>),
) -> Problem {
    let (mut visits, mut caregivers) = (problem.visits.clone(), problem.caregivers.clone());
    change(&mut visits, &mut caregivers);
    Problem::new(
        "variant",
        visits,
        caregivers,
        problem.num_locations,
        problem.num_profiles,
        problem.max_leg,
        problem.objective,
        problem.time_scale,
    )
    .and_then(|p| p.with_soft_costs(weights))
    .expect("valid problem")
}

/// Solves the variant and asserts its plan is the plain one, checked.
fn assert_same_plan(
    seed: u64,
    what: &str,
    problem: &Problem,
    travel: &TravelMatrices,
    want: &Plan,
) {
    let plan = common::solve(problem, travel, seed, ITERATIONS);
    common::assert_feasible(problem, travel, &plan);
    assert_eq!(plan.routes, want.routes, "seed {seed}: {what} changed the routes");
    assert_eq!(plan.unassigned, want.unassigned, "seed {seed}: {what} changed the unassigned");
    assert_eq!(plan.kpis.cost, want.kpis.cost, "seed {seed}: {what} changed the cost");
}

#[test]
fn a_deadline_at_the_end_of_the_last_window_changes_nothing() {
    for seed in 0..6 {
        let (problem, travel, want) = plain(seed);
        let weights = SoftCosts { lateness: 5, max_lateness: 3, ..SoftCosts::default() };
        let day = variant(&problem, weights, |visits, _| {
            for v in visits {
                v.due = v.windows.iter().map(|w| w.end).max();
            }
        });
        assert_same_plan(seed, "due = end of the last window", &day, &travel, &want);
    }
}

#[test]
fn every_caregiver_preferred_changes_nothing() {
    for seed in 0..6 {
        let (problem, travel, want) = plain(seed);
        let everyone: Vec<String> = problem.caregivers.iter().map(|c| c.id.clone()).collect();
        let day = variant(&problem, SoftCosts::default(), |visits, _| {
            for v in visits {
                v.preferred = everyone.clone();
            }
        });
        assert_same_plan(seed, "preferred = every caregiver", &day, &travel, &want);
    }
}

#[test]
fn contracted_hours_of_the_whole_shift_change_nothing() {
    for seed in 0..6 {
        let (problem, travel, want) = plain(seed);
        let day = variant(&problem, SoftCosts::default(), |_, caregivers| {
            for c in caregivers {
                c.contracted = Some(Seconds(c.shift.end.0 - c.shift.start.0));
            }
        });
        assert_same_plan(seed, "contracted = shift length", &day, &travel, &want);
    }
}

#[test]
fn a_fairness_weight_of_zero_changes_nothing() {
    for seed in 0..6 {
        let (problem, travel, want) = plain(seed);
        let weights = SoftCosts { working_spread: 0, ..SoftCosts::default() };
        let day = variant(&problem, weights, |_, _| {});
        assert_same_plan(seed, "working_spread = 0", &day, &travel, &want);
    }
}
