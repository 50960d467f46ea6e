//! The Li & Lim pick-up-and-delivery instances (benches/data/li-lim): a short search on one
//! instance of each class serves every pair and passes the independent checker.

mod common;

use formats::lilim::parse_lilim;
use std::path::Path;

fn instance(name: &str) -> formats::lilim::LiLimInstance {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../benches/data/li-lim")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_lilim(&text, name).expect("a valid instance")
}

#[test]
fn every_pair_of_one_instance_per_class_is_served_and_checked() {
    for name in ["lc101", "lr101", "lrc101", "lc201", "lr201", "lrc201"] {
        let inst = instance(name);
        let (problem, travel) = inst.to_problem().expect("problem");
        let plan = common::solve(&problem, &travel, 1, 200);
        common::assert_feasible(&problem, &travel, &plan);
        assert_eq!(plan.kpis.visits_unassigned, 0, "{name}: {:?}", plan.unassigned);
        assert_eq!(plan.kpis.visits_total, inst.pairs.len(), "{name}: orders are the pairs");
        let stops: usize = plan.routes.iter().map(|r| r.stops.len()).sum();
        assert_eq!(stops, 2 * inst.pairs.len(), "{name}: each pair is two stops");
        assert!(inst.distance(&plan) > 0.0);
    }
}
