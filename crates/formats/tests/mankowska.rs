//! The Mankowska et al. (2014) home-health-care instances: reading, the benchmark's
//! objective reproduced on published routes, and solved plans checked.

use formats::mankowska::{parse_mankowska, parse_route_file, MankowskaInstance};
use solver::check::check;
use solver::{Environment, MaxIterations};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/hhc/mankowska2014")
}

/// The shared instances live beside the project (../shared); without them the tests that
/// read them say SKIPPED, as the project's other tests on shared data do.
fn shared_data_present(test: &str) -> bool {
    let present = data_dir().exists();
    if !present {
        // CI sets it: there the data must be present.
        assert!(
            !std::env::var("CARECIRCLE_REQUIRE_SHARED").is_ok_and(|v| v == "1"),
            "{} is absent (CARECIRCLE_REQUIRE_SHARED=1)",
            data_dir().display()
        );
        eprintln!(
            "SKIPPED {test}: {} is absent (../shared not beside the project)",
            data_dir().display()
        );
    }
    present
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
    if !shared_data_present("published_routes_score_their_published_cost") {
        return;
    }
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
    if !shared_data_present("solved_plans_pass_the_checker_and_score_as_reported") {
        return;
    }
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

/// A valid small file, and mangled copies: each error names the line and the section.
#[test]
fn malformed_files_name_the_line_and_the_section() {
    let good = "nbNodes\n4\nnbVehi\n2\nnbServi\n2\nr\n1 1\n1 1\n0 1\n1 1\nDS\n2\na\n1 1\n0 1\nx\n0 1 2 0\ny\n0 1 2 0\nd\n0 1 2 0\n1 0 1 1\n2 1 0 2\n0 1 2 0\np\n0 0\n0 0\n5 5\n6 6\n3 3\n4 4\n0 0\n0 0\nmind\n0 10 0 0\nmaxd\n0 20 0 0\ne\n0 5 0 0\nl\n100 50 60 200\n";
    let inst = parse_mankowska(good, "tiny").expect("the good file parses");
    let (problem, travel) = inst.to_problem().expect("problem");
    assert_eq!(problem.visits.len(), 3, "node 1 needs two services, node 2 one");
    assert_eq!(problem.links.len(), 1);
    let mut env = Environment::new(1, MaxIterations(200));
    let plan = solver::solve(&problem, &travel, &mut env);
    assert!(check(&problem, &travel, &plan).is_feasible());
    assert_eq!(plan.kpis.visits_unassigned, 0);

    for (bad, expect) in [
        (good.replace("e\n0 5 0 0", "e\n0 x 0 0"), "line 40: e: \"x\" is not a number"),
        (
            good.replace("mind\n0 10 0 0", "mind\n0 10 0"),
            "line 35: mind: expected 4 numbers, found 3",
        ),
        (good.replace("a\n1 1\n0 1", "a\n1 1\n0 2"), "line 16: a: 2 is not 0 or 1"),
        (good.replace("DS\n2", "DS\n3"), "line 12: DS: lists nodes [3]"),
        (good.replace("maxd\n0 20", "maxd\n0 5"), "line 38: maxd: node 1: below mind 10"),
        (good.replace("l\n100", "l\n-100"), "line 42: l: -100 is not between 0"),
        (good.replace("nbVehi\n2\n", ""), "missing section nbVehi"),
    ] {
        let err = parse_mankowska(&bad, "bad").expect_err(expect).to_string();
        assert!(err.starts_with(expect), "{err:?} should start with {expect:?}");
    }
}
