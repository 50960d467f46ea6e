//! One full solve of Solomon C101 and R101 for a fixed number of iterations (machine noise
//! shows in the time, not in the plan), printing the distance reached beside the best-known.

use criterion::{criterion_group, criterion_main, Criterion};
use solver::io::solomon::parse_solomon;
use solver::{Environment, MaxIterations};
use std::time::Duration;

const SOLOMON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/vrptw/solomon");

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("solve");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for (name, bks) in [("C101", 828.94), ("R101", 1650.80)] {
        let path = format!("{SOLOMON}/{name}.txt");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("SKIPPED: {path} is absent");
            continue;
        };
        let instance = parse_solomon(&text, name).expect("parses");
        let (problem, travel) = instance.to_problem().expect("valid");
        let solve = || {
            let mut env = Environment::new(1, MaxIterations(2_000));
            solver::solve(&problem, &travel, &mut env)
        };
        let plan = solve();
        eprintln!(
            "{name}: distance {:.2} with {} routes after 2000 iterations (best known {bks})",
            instance.distance(&plan),
            plan.routes.len()
        );
        group.bench_function(format!("{name} 2000 iterations"), |b| b.iter(solve));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
