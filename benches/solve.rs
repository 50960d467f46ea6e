//! The solver's hot paths, one thread: evaluating insertion moves (from the route caches, and
//! scheduled in full on routes with lunch breaks or meal rounds), a local search (every
//! operator) from the first plan to a local optimum, and full solves of a
//! 100-visit Solomon instance and a 1,000-visit Gehring–Homberger instance for a fixed
//! number of iterations (machine noise shows in the time, not in the plan), printing the
//! distance reached beside the best-known. The first feasible plan of the 1,000-visit
//! instance (construction and local search) is timed on its own: the target is under 1 s.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use formats::solomon::parse_solomon;
use formats::vrplib::parse_vrplib;
use formats::vrptw::VrptwInstance;
use solver::bench_hooks::MoveFixture;
use solver::{Environment, MaxIterations};
use std::time::Duration;

const VRPTW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/vrptw");

/// The instance in `file` under the shared VRPTW folder; `None`, with a note, when absent.
fn load(file: &str) -> Option<VrptwInstance> {
    let path = format!("{VRPTW}/{file}");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("SKIPPED: {path} is absent");
        return None;
    };
    let name = file.rsplit('/').next().unwrap_or(file);
    let parsed = if file.ends_with(".vrp") {
        parse_vrplib(&text, name).map_err(|e| e.to_string())
    } else {
        parse_solomon(&text, name).map_err(|e| e.to_string())
    };
    match parsed {
        Ok(instance) => Some(instance),
        Err(e) => {
            eprintln!("SKIPPED: {path}: {e}");
            None
        }
    }
}

fn moves(c: &mut Criterion) {
    let mut group = c.benchmark_group("moves");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for file in ["solomon/R101.txt", "gh1000_vrplib/RC1_10_1.vrp"] {
        let Some(instance) = load(file) else { continue };
        let (problem, travel) = instance.to_problem().expect("valid");
        let fixture = MoveFixture::new(&problem, &travel);
        group.throughput(Throughput::Elements(fixture.insertion_count() as u64));
        group.bench_function(format!("every insertion, {}", instance.name), |b| {
            b.iter(|| fixture.evaluate_all_insertions())
        });
        group.throughput(Throughput::Elements(problem.visits.len() as u64));
        group.bench_function(format!("local search to an optimum, {}", instance.name), |b| {
            b.iter(|| fixture.local_search())
        });
    }
    // The two kinds of move evaluation side by side: O(1) from the route caches (above), and
    // a route scheduled in full for a caregiver with a rule on the whole day — here every
    // caregiver of R101 with a lunch break it can take anywhere, and the meal rounds of a Li &
    // Lim instance (every move checks order, box and ride on the whole route).
    if let Some(instance) = load("solomon/R101.txt") {
        let (mut problem, travel) = instance.to_problem().expect("valid");
        for c in &mut problem.caregivers {
            c.lunch_break =
                Some(solver::LunchBreak { window: c.shift, duration: solver::Seconds(0) });
        }
        let fixture = MoveFixture::new(&problem, &travel);
        group.throughput(Throughput::Elements(fixture.insertion_count() as u64));
        group.bench_function("every insertion, R101 with lunch breaks (whole route)", |b| {
            b.iter(|| fixture.evaluate_all_insertions())
        });
    }
    let lilim = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data/li-lim/lc101.txt");
    if let Ok(text) = std::fs::read_to_string(lilim) {
        let instance = formats::lilim::parse_lilim(&text, "lc101").expect("valid");
        let (problem, travel) = instance.to_problem().expect("valid");
        let fixture = MoveFixture::new(&problem, &travel);
        group.throughput(Throughput::Elements(fixture.insertion_count() as u64));
        group.bench_function("every insertion, lc101 meal rounds (whole route)", |b| {
            b.iter(|| fixture.evaluate_all_insertions())
        });
    }
    group.finish();
}

fn solves(c: &mut Criterion) {
    let mut group = c.benchmark_group("solve");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for (file, bks, iterations) in [
        ("solomon/C101.txt", 828.94, 2_000),
        ("solomon/R101.txt", 1642.88, 2_000),
        ("gh1000_vrplib/RC1_10_1.vrp", 45790.7, 500),
    ] {
        let Some(instance) = load(file) else { continue };
        let (problem, travel) = instance.to_problem().expect("valid");
        let solve = |iterations| {
            let mut env = Environment::new(1, MaxIterations(iterations));
            solver::solve(&problem, &travel, &mut env)
        };
        let plan = solve(iterations);
        eprintln!(
            "{}: distance {:.2} with {} routes after {iterations} iterations (best known {bks})",
            instance.name,
            instance.distance(&plan),
            plan.routes.len()
        );
        if problem.visits.len() >= 1000 {
            group.bench_function(format!("{} first feasible plan", instance.name), |b| {
                b.iter(|| solve(0))
            });
        }
        group.bench_function(format!("{} {iterations} iterations", instance.name), |b| {
            b.iter(|| solve(iterations))
        });
    }
    group.finish();
}

criterion_group!(benches, moves, solves);
criterion_main!(benches);
