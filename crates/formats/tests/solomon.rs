//! Solomon instances: parsing, solving to a plan that passes both the integer checker and
//! the exact floating-point re-check, and clear errors for malformed files.

mod common;

use formats::solomon::parse_solomon;
use formats::vrptw::ImportError;
use solver::{Environment, MaxIterations, Objective};

const SOLOMON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/vrptw/solomon");

fn read(name: &str) -> Option<String> {
    let path = format!("{SOLOMON}/{name}.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            // CI sets it: there the data must be present.
            assert!(
                !std::env::var("CARECIRCLE_REQUIRE_SHARED").is_ok_and(|v| v == "1"),
                "{path} is absent (CARECIRCLE_REQUIRE_SHARED=1)"
            );
            eprintln!("SKIPPED: {path} is absent; Solomon tests did not run");
            None
        }
    }
}

/// Solves Solomon instance `name` for `iterations`, checks the plan every way, and returns
/// the number of routes; `None` when the shared data is absent.
fn solve_instance(name: &str, iterations: u64) -> Option<usize> {
    solve_instance_as(name, iterations, Objective::Distance)
}

fn solve_instance_as(name: &str, iterations: u64, objective: Objective) -> Option<usize> {
    let text = read(name)?;
    let instance = parse_solomon(&text, name).expect("parses");
    assert_eq!(instance.customers.len(), 101);
    let (problem, travel) = instance.to_problem_as(objective).expect("valid problem");
    assert_eq!(problem.visits.len(), 100);
    assert_eq!(problem.caregivers.len(), 25);
    let mut env = Environment::new(1, MaxIterations(iterations));
    let plan = solver::solve(&problem, &travel, &mut env);
    common::assert_feasible(&problem, &travel, &plan);
    assert_eq!(instance.check_floats(&plan), Vec::<String>::new());
    assert_eq!(plan.kpis.visits_served, 100, "unassigned: {:?}", plan.unassigned);
    let exact = instance.distance(&plan);
    // Integer legs are rounded up from thousandths: the exact length is a little shorter.
    let scaled = plan.kpis.travel_distance.0 as f64 / 1000.0;
    assert!(exact <= scaled && scaled - exact < 0.001 * 200.0, "{exact} vs {scaled}");
    eprintln!("{name}: {exact:.2} with {} routes after {iterations} iterations", plan.routes.len());
    Some(plan.routes.len())
}

#[test]
fn c101_is_solved_feasibly() {
    solve_instance("C101", 3_000);
}

#[test]
fn r101_is_solved_feasibly() {
    solve_instance("R101", 3_000);
}

/// R101's best-known plans: 19 routes when routes count first, 20 for the shortest distance.
/// The fleet phase takes 30 % of the budget; the 19-route plan appears within about 1,800
/// of its iterations, so the budget here is twice that.
#[test]
fn vehicles_first_minimises_the_fleet() {
    let Some(distance_only) = solve_instance("R101", 3_000) else { return };
    let fleet_first = solve_instance_as("R101", 12_000, Objective::VehiclesFirst).expect("read");
    assert!(fleet_first <= 19, "{fleet_first} routes (distance-only: {distance_only})");
    assert!(fleet_first < distance_only);
}

#[test]
fn c101_parses_with_the_published_figures() {
    let Some(text) = read("C101") else { return };
    let i = parse_solomon(&text, "C101").expect("parses");
    assert_eq!((i.vehicles, i.capacity), (25, Some(200)));
    let depot = &i.customers[0];
    assert_eq!((depot.number, depot.x, depot.y, depot.due), (0, 40.0, 50.0, 1236));
    let c1 = &i.customers[1];
    assert_eq!((c1.number, c1.demand, c1.ready, c1.due, c1.service), (1, 10, 912, 967, 90));
    let (problem, _) = i.to_problem().expect("valid");
    assert_eq!(problem.time_scale, 1000);
    assert_eq!(problem.visits[0].windows[0].start.0, 912_000);
    assert_eq!(problem.caregivers[24].id, "25");
}

const SMALL: &str = concat!(
    "TINY\n",
    "\n",
    "VEHICLE\n",
    "NUMBER     CAPACITY\n",
    "  2         10\n",
    "\n",
    "CUSTOMER\n",
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n",
    "\n",
    "    0      0         0          0          0       1000          0\n",
    "    1      3         4          5          0       100          10\n",
    "    2      6         8          5          0       100          10\n",
);

#[test]
fn a_tiny_instance_round_trips() {
    let i = parse_solomon(SMALL, "tiny").expect("parses");
    let (problem, travel) = i.to_problem().expect("valid");
    let plan = common::solve(&problem, &travel, 1, 50);
    common::assert_feasible(&problem, &travel, &plan);
    assert!(i.check_floats(&plan).is_empty());
    // Both fit in one vehicle along a straight line: 0 -> 1 -> 2 -> 0 is 20 long.
    assert!((i.distance(&plan) - 20.0).abs() < 1e-9);
}

#[test]
fn malformed_lines_are_named() {
    let bad_field = SMALL.replace("    2      6         8", "    2      6         x8");
    let err = parse_solomon(&bad_field, "bad").expect_err("rejects");
    assert_eq!(err.line(), Some(12), "{err}");
    assert!(err.to_string().contains("y"), "{err}");

    let short = SMALL.replace("5          0       100          10\n    2", "5\n    2");
    let err = parse_solomon(&short, "bad").expect_err("rejects");
    assert!(matches!(err, ImportError::Malformed { line: 11, .. }), "{err}");
    assert!(err.to_string().contains("line 11"), "{err}");

    let no_vehicle = SMALL.replace("VEHICLE", "VEHICLES?");
    assert!(parse_solomon(&no_vehicle, "bad").is_err());
    let err = parse_solomon("X\nVEHICLE\n2 10\n", "bad").expect_err("rejects");
    assert_eq!(err, ImportError::MissingSection { section: "CUSTOMER" });
    let late = SMALL.replace("0       100          10\n    2", "200       100          10\n    2");
    assert!(parse_solomon(&late, "bad").is_err());
}
