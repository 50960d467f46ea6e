//! Solve-and-check helpers for the readers' tests: every plan made from a file passes the
//! independent checker.
#![allow(dead_code)]

use solver::check::{check, CheckReport};
use solver::{Environment, MaxIterations, Plan, Problem, TravelMatrices};

/// Solves with a fixed iteration budget.
pub fn solve(problem: &Problem, travel: &TravelMatrices, seed: u64, iterations: u64) -> Plan {
    let mut env = Environment::new(seed, MaxIterations(iterations));
    solver::solve(problem, travel, &mut env)
}

/// Checks a plan and fails the test with every violation listed if it is infeasible.
pub fn assert_feasible(problem: &Problem, travel: &TravelMatrices, plan: &Plan) -> CheckReport {
    let report = check(problem, travel, plan);
    let listed: Vec<String> = report.violations.iter().map(|v| v.to_string()).collect();
    assert!(report.is_feasible(), "checker rejects the plan:\n{}", listed.join("\n"));
    assert_eq!(report.cost, plan.kpis.cost, "checker cost differs from the solver's");
    report
}
