//! `carecircle check`: the independent checker on a plan file.

use anyhow::Result;
use clap::Args as ClapArgs;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::input::{self, ProblemFile};
use crate::progress::Progress;
use crate::station_plans;

#[derive(ClapArgs)]
#[command(
    about = "Check a plan against its problem; exit 0 only if it is feasible",
    long_about = "Recomputes every time and cost of the plan from the problem and the route order \
alone (independently of the solver), prints the recomputed figures and every violated rule, and \
exits with status 0 only for a feasible plan. For Solomon and VRPLIB instances the time windows \
are also re-verified in floating point under the file's distance convention; for Mankowska \
instances the benchmark's objective is recomputed from the routes in exact arithmetic.",
    after_help = "Examples:\n  carecircle check scenarios/demo.json out/demo/plan.json\n  carecircle check ../shared/data/vrptw/solomon/C101.txt c101.json"
)]
pub struct Args {
    /// The problem file (scenario JSON, Solomon text, VRPLIB or Mankowska).
    problem: PathBuf,
    /// The plan JSON.
    plan: PathBuf,
    #[command(flatten)]
    travel: input::TravelFlags,
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    let plan = input::read_plan(&args.plan)?;
    let mut violations: Vec<String> = Vec::new();
    match input::read_problem(&args.problem)? {
        ProblemFile::Vrptw(instance) => {
            let (problem, travel) = instance.to_problem()?;
            let report = solver::check::check(&problem, &travel, &plan);
            violations.extend(report.violations.iter().map(|v| v.to_string()));
            violations.extend(
                instance.check_floats(&plan).into_iter().map(|v| format!("floating point: {v}")),
            );
            println!(
                "{}: {} routes, distance {:.2} (file convention), {} of {} customers served",
                problem.name,
                plan.routes.len(),
                instance.distance(&plan),
                problem.visits.len() - plan.unassigned.len(),
                problem.visits.len()
            );
        }
        ProblemFile::Mankowska(instance) => {
            let (problem, travel) = instance.to_problem()?;
            let report = solver::check::check(&problem, &travel, &plan);
            violations.extend(report.violations.iter().map(|v| v.to_string()));
            let score = instance.routes_of(&plan).and_then(|r| instance.score(&r));
            match score {
                Ok(s) => println!(
                    "{}: {} routes, objective {:.3} (distance {:.3}, tardiness {:.3}, max {:.3})",
                    problem.name,
                    plan.routes.len(),
                    s.objective(),
                    s.distance,
                    s.tardiness,
                    s.max_tardiness
                ),
                Err(e) => violations.push(format!("benchmark rules: {e}")),
            }
        }
        ProblemFile::LiLim(instance) => {
            let (problem, travel) = instance.to_problem()?;
            let report = solver::check::check(&problem, &travel, &plan);
            violations.extend(report.violations.iter().map(|v| v.to_string()));
            println!(
                "{}: {} vehicles, distance {:.2}, {} of {} pairs served",
                problem.name,
                plan.routes.len(),
                instance.distance(&plan),
                report.visits_served,
                problem.order_count()
            );
        }
        ProblemFile::Scenario { scenario, travel } => {
            // The plan is checked on the same travel source it was planned on.
            let source = station_plans::travel_source(&args.travel, travel.as_ref(), progress)?;
            let stations = station_plans::prepare(&scenario, &source, input::cores(), progress)?;
            for (unit, report) in station_plans::check_all(&stations, &plan)? {
                println!(
                    "{unit}: travel {}, distance {:.1} km, longest leg {}, cost {}",
                    crate::output::table::hm(report.travel_time.0),
                    report.travel_distance.0 as f64 / 1000.0,
                    crate::output::table::hm(report.longest_leg.0),
                    report.cost.0
                );
                violations.extend(report.violations.iter().map(|v| format!("{unit}: {v}")));
            }
        }
    }
    if violations.is_empty() {
        println!("feasible: no rule is violated");
        Ok(ExitCode::SUCCESS)
    } else {
        for v in &violations {
            println!("violation: {v}");
        }
        println!("infeasible: {} violation(s)", violations.len());
        Ok(ExitCode::FAILURE)
    }
}
