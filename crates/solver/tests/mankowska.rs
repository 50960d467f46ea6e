//! The Mankowska et al. (2014) home-health-care instances: reading, the benchmark's
//! objective reproduced on published routes, and solved plans checked.

use solver::check::check;
use solver::io::mankowska::{parse_mankowska, parse_route_file, MankowskaInstance};
use solver::{Environment, MaxIterations};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/hhc/mankowska2014")
}

fn read(file: &str) -> MankowskaInstance {
    let path = data_dir().join("instances").join(file);
    let text = std::fs::read_to_string(&path).expect("instance file");
    parse_mankowska(&text, file).expect("parses")
}

/// `(instance file, route file, published cost)` from the BRKGA table.
fn brkga_rows() -> Vec<(String, String, f64)> {
    let text = std::fs::read_to_string(data_dir().join("brkga_best_of_runs.csv")).expect("csv");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_string(), f[9].to_string(), f[5].parse().expect("cost"))
        })
        .collect()
}

/// Our reading of the rules (earliest schedule, the lower-numbered service first,
/// tardiness per service) reproduces the published cost of the best BRKGA routes of all 70.
#[test]
fn published_routes_score_their_published_cost() {
    let rows = brkga_rows();
    assert_eq!(rows.len(), 70);
    for (file, routes, cost) in rows {
        let inst = read(&file);
        let text = std::fs::read_to_string(data_dir().join(&routes)).expect("routes");
        let routes = parse_route_file(&text).expect("route file parses");
        let score = inst.score(&routes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let ours = score.objective();
        assert!((ours - cost).abs() <= 1e-3 * cost.max(1.0), "{file}: {ours} vs published {cost}");
    }
}

/// Solved plans pass the checker, serve every service, and their score (recomputed from the
/// routes alone) matches the plan's own figures.
#[test]
fn solved_plans_pass_the_checker_and_score_as_reported() {
    for (file, best_known) in
        [("InstanzCPLEX_HCSRP_10_1.txt", 218.2), ("InstanzCPLEX_HCSRP_25_3.txt", 0.0)]
    {
        let inst = read(file);
        let (problem, travel) = inst.to_problem().expect("problem");
        assert!(!problem.links.is_empty(), "{file}: has double services");
        let mut env = Environment::new(7, MaxIterations(2_000));
        let plan = solver::solve(&problem, &travel, &mut env);
        let report = check(&problem, &travel, &plan);
        assert!(report.is_feasible(), "{file}: {:?}", report.violations);
        assert_eq!(plan.kpis.visits_unassigned, 0, "{file}");
        assert_eq!(report.cost, plan.kpis.cost, "{file}");
        let score = inst.score(&inst.routes_of(&plan).expect("routes")).expect("score");
        // The model rounds travel up to thousandths; the exact score can only be lower.
        let model = plan.kpis.cost.0 as f64 / 3.0 / 1000.0;
        assert!(
            score.objective() <= model + 1e-9,
            "{file}: exact {} vs model {model}",
            score.objective()
        );
        assert!(
            score.objective() >= model * 0.999,
            "{file}: exact {} vs model {model}",
            score.objective()
        );
        if best_known > 0.0 {
            assert!(
                score.objective() <= best_known * 1.05,
                "{file}: {} vs {best_known}",
                score.objective()
            );
        }
    }
}
