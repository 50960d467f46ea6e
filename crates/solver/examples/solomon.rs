//! Solves one Solomon / Gehring–Homberger instance for a time budget and prints distance,
//! routes and iterations per second.
//!
//! `cargo run --release -p solver --example solomon -- ../shared/data/vrptw/solomon/C101.txt 5 [seed]`

use solver::io::solomon::parse_solomon;
use solver::{Environment, MaxRuntime, StopCriterion};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counts the iterations the search asks about, to report iterations per second.
struct Counting(MaxRuntime, Arc<AtomicU64>);

impl StopCriterion for Counting {
    fn should_stop(&mut self, iterations: u64) -> bool {
        self.1.store(iterations, Ordering::Relaxed);
        self.0.should_stop(iterations)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: solomon FILE [SECONDS] [SEED]")?;
    let seconds: f64 = args.get(2).map_or(Ok(5.0), |s| s.parse())?;
    let seed: u64 = args.get(3).map_or(Ok(1), |s| s.parse())?;
    let text = std::fs::read_to_string(path)?;
    let name = std::path::Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned());
    let instance = parse_solomon(&text, &name.unwrap_or_default())?;
    let (problem, travel) = instance.to_problem()?;
    let iterations = Arc::new(AtomicU64::new(0));
    let stop = Counting(MaxRuntime::new(Duration::from_secs_f64(seconds)), iterations.clone());
    let started = Instant::now();
    let mut env = Environment::new(seed, stop);
    let plan = solver::solve(&problem, &travel, &mut env);
    let elapsed = started.elapsed().as_secs_f64();
    let report = solver::check::check(&problem, &travel, &plan);
    let n = iterations.load(Ordering::Relaxed);
    println!(
        "{}: distance {:.2}, {} routes, {}/{} served, {} iterations in {:.1}s ({:.0}/s), feasible {}, exact violations {}",
        problem.name,
        instance.exact_distance(&plan),
        plan.routes.len(),
        plan.kpis.visits_served,
        plan.kpis.visits_total,
        n,
        elapsed,
        n as f64 / elapsed,
        report.is_feasible(),
        instance.check_exact(&plan).len()
    );
    for v in report.violations.iter().take(5) {
        println!("  violation: {v}");
    }
    Ok(())
}
