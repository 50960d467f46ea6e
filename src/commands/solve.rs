//! `carecircle solve`: plan a problem file and write the plan.

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use formats::lilim::LiLimInstance;
use formats::mankowska::MankowskaInstance;
use formats::scenario::Scenario;
use formats::vrptw::VrptwInstance;
use planner::travel::TravelSource;
use solver::{Objective, Plan};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::input::{self, ProblemFile};
use crate::output::{geojson, svg, table};
use crate::progress::Progress;
use crate::station_plans::{self, PreparedStation, SearchBudget};

#[derive(ClapArgs)]
#[command(
    about = "Solve a problem file (scenario JSON, Solomon or VRPLIB VRPTW, Mankowska HHC, Li & Lim PDPTW) and write the plan",
    long_about = "Solve a problem file and write the plan as JSON. The format is detected from \
the content: a CareCircle scenario (JSON; planned station by station on the road network of its \
OpenStreetMap extract, or on its own travel times with --matrix FILE or a scenario's \"travel\" \
field, with the routes also written as GeoJSON and an SVG map beside the plan), \
a Solomon / Gehring-Homberger VRPTW instance (text; exact Euclidean distances; times and distances \
in the plan are in thousandths of the instance's units) or a VRPLIB VRPTW instance (`KEY : VALUE` \
header; distances truncated to one decimal as in the DIMACS challenge; plan units are tenths) or a \
Mankowska et al. (2014) home-health-care instance (starts with `nbNodes`; two-caregiver and \
precedence visits, tardiness; each stop carries its `service` index and `kpis.objective` is the \
benchmark's (distance + total tardiness + max tardiness) / 3; plan units are thousandths) or a Li & \
Lim pick-up-and-delivery instance (a line `vehicles capacity speed`, then rows of nine; fewest \
vehicles, then exact distance; plan units are thousandths).",
    after_help = "Examples:\n  carecircle solve scenarios/demo.json --time-limit 10 --out out/plan.json\n  carecircle solve scenarios/demo.json --matrix out/demo-matrix.json --out out/own.json\n  carecircle solve ../shared/data/vrptw/solomon/C101.txt --time-limit 5 --out c101.json\n  carecircle solve ../shared/data/vrptw/gh1000_vrplib/C1_10_1.vrp --time-limit 120 --out c1_10_1.json\n  carecircle solve ../shared/data/vrptw/solomon/R101.txt --objective vehicles-first\n  carecircle solve ../shared/data/hhc/mankowska2014/instances/InstanzCPLEX_HCSRP_25_1.txt --time-limit 30\n  carecircle solve benches/data/li-lim/lc101.txt --time-limit 10"
)]
pub struct Args {
    /// The problem file.
    file: PathBuf,
    /// Time limit in seconds: for a scenario, of the whole plan (roads, travel matrices and
    /// the search, shared by its stations); for a benchmark instance, of the search.
    #[arg(long, default_value_t = 10.0)]
    time_limit: f64,
    /// Also stop after this many search iterations (for reproducible runs).
    #[arg(long)]
    iterations: Option<u64>,
    /// Random seed; the same seed and iteration limit give the same plan.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the plan.
    #[arg(long, default_value = "plan.json")]
    out: PathBuf,
    #[command(flatten)]
    travel: input::TravelFlags,
    #[command(flatten)]
    threads: input::ThreadFlags,
    /// What a VRPTW instance minimises: total distance (the benchmarks' distance-only
    /// best-known values), or fewest routes first, then distance (the classic tables).
    #[arg(long, value_enum, default_value_t = VrptwObjective::Distance)]
    objective: VrptwObjective,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum VrptwObjective {
    Distance,
    VehiclesFirst,
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    let budget = SearchBudget {
        time_limit: seconds(args.time_limit)?,
        max_iterations: args.iterations,
        seed: args.seed,
        threads: args.threads.threads(progress),
    };
    match input::read_problem(&args.file)? {
        ProblemFile::Vrptw(instance) => {
            let objective = match args.objective {
                VrptwObjective::Distance => Objective::Distance,
                VrptwObjective::VehiclesFirst => Objective::VehiclesFirst,
            };
            solve_vrptw(&instance, objective, budget, &args.out, progress)?
        }
        ProblemFile::Mankowska(instance) => {
            solve_mankowska(&instance, budget, &args.out, progress)?
        }
        ProblemFile::LiLim(instance) => solve_lilim(&instance, budget, &args.out, progress)?,
        ProblemFile::Scenario { scenario, travel } => {
            let started = std::time::Instant::now();
            let source = station_plans::travel_source(&args.travel, travel.as_ref(), progress)?;
            // The limit is the user's wait for the whole plan: roads come out of it.
            let budget = SearchBudget {
                time_limit: budget.time_limit.saturating_sub(started.elapsed()),
                ..budget
            };
            let run = ScenarioRun::solve(&scenario, &source, budget, progress)?;
            run.write(&args.out, progress)?;
            print!("{}", table::kpi_table(&run.plan, scenario.caregivers.len()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A time limit from the command line, refusing negative or absurd values.
pub fn seconds(value: f64) -> Result<Duration> {
    if !(0.0..=86_400.0).contains(&value) {
        anyhow::bail!("--time-limit: {value} is not a number of seconds between 0 and 86400");
    }
    Ok(Duration::from_secs_f64(value))
}

fn solve_vrptw(
    instance: &VrptwInstance,
    objective: Objective,
    budget: SearchBudget,
    out: &Path,
    progress: &Progress,
) -> Result<()> {
    let (problem, travel) = instance.to_problem_as(objective)?;
    progress.say(format!(
        "{}: {} customers, {} vehicles, time limit {:.1}s",
        problem.name,
        problem.visits.len(),
        problem.caregivers.len(),
        budget.time_limit.as_secs_f64()
    ));
    let mut env = budget.environment().on_improvement(|plan: &Plan| {
        progress.say(format!(
            "distance {:.2}, {} routes, {} unassigned",
            instance.distance(plan),
            plan.routes.len(),
            plan.kpis.visits_unassigned
        ));
    });
    let plan = solver::solve(&problem, &travel, &mut env);
    assert_checked(&problem, &travel, &plan)?;
    input::write_json(out, &plan)?;
    println!(
        "{}: distance {:.2}, {} routes, {} of {} customers served; plan written to {}",
        problem.name,
        instance.distance(&plan),
        plan.routes.len(),
        plan.kpis.visits_served,
        plan.kpis.visits_total,
        out.display()
    );
    Ok(())
}

/// Only plans the independent checker accepts are written; anything else is our bug.
fn assert_checked(
    problem: &solver::Problem,
    travel: &dyn solver::TravelTimes,
    plan: &Plan,
) -> Result<()> {
    match solver::check::check(problem, travel, plan).violations.first() {
        Some(v) => anyhow::bail!("internal error: the plan fails the checker: {v}"),
        None => Ok(()),
    }
}

/// Solves a Li & Lim pick-up-and-delivery instance: fewest vehicles, then distance.
fn solve_lilim(
    instance: &LiLimInstance,
    budget: SearchBudget,
    out: &Path,
    progress: &Progress,
) -> Result<()> {
    let (problem, travel) = instance.to_problem()?;
    progress.say(format!(
        "{}: {} pick-up-and-delivery pairs, {} vehicles, time limit {:.1}s",
        problem.name,
        problem.pairs.len(),
        problem.caregivers.len(),
        budget.time_limit.as_secs_f64()
    ));
    let mut env = budget.environment().on_improvement(|plan: &Plan| {
        progress.say(format!(
            "{} vehicles, distance {:.2}, {} unassigned",
            plan.routes.len(),
            instance.distance(plan),
            plan.kpis.visits_unassigned
        ));
    });
    let plan = solver::solve(&problem, &travel, &mut env);
    assert_checked(&problem, &travel, &plan)?;
    input::write_json(out, &plan)?;
    println!(
        "{}: {} vehicles, distance {:.2}, {} of {} pairs served; checker: feasible; plan written \
         to {}",
        problem.name,
        plan.routes.len(),
        instance.distance(&plan),
        plan.kpis.visits_served,
        plan.kpis.visits_total,
        out.display()
    );
    Ok(())
}

/// Solves a Mankowska et al. home-health-care instance; the plan's `kpis.objective` is the
/// benchmark's objective recomputed from the routes in exact arithmetic.
fn solve_mankowska(
    instance: &MankowskaInstance,
    budget: SearchBudget,
    out: &Path,
    progress: &Progress,
) -> Result<()> {
    let (problem, travel) = instance.to_problem()?;
    progress.say(format!(
        "{}: {} services ({} pairs), {} caregivers, time limit {:.1}s",
        problem.name,
        problem.visits.len(),
        problem.links.len(),
        problem.caregivers.len(),
        budget.time_limit.as_secs_f64()
    ));
    let score = |plan: &Plan| {
        instance.routes_of(plan).and_then(|r| instance.score(&r)).map_err(anyhow::Error::msg)
    };
    let mut env = budget.environment().on_improvement(|plan: &Plan| {
        if let Ok(s) = score(plan) {
            progress.say(format!(
                "objective {:.3} (distance {:.3}, tardiness {:.3}, max {:.3}), {} unassigned",
                s.objective(),
                s.distance,
                s.tardiness,
                s.max_tardiness,
                plan.kpis.visits_unassigned
            ));
        }
    });
    let mut plan = solver::solve(&problem, &travel, &mut env);
    assert_checked(&problem, &travel, &plan)?;
    let s = score(&plan)?;
    plan.kpis.objective = Some(s.objective());
    input::write_json(out, &plan)?;
    println!(
        "{}: objective {:.3} (distance {:.3}, tardiness {:.3}, max tardiness {:.3}), {} caregivers, \
         {} of {} services; checker: feasible; plan written to {}",
        problem.name,
        s.objective(),
        s.distance,
        s.tardiness,
        s.max_tardiness,
        plan.routes.len(),
        plan.kpis.visits_served,
        plan.kpis.visits_total,
        out.display()
    );
    Ok(())
}

/// A scenario solved on its travel source, with what is needed to draw and check it.
pub struct ScenarioRun {
    pub source: TravelSource,
    pub stations: Vec<PreparedStation>,
    pub plan: Plan,
}

impl ScenarioRun {
    pub fn solve(
        scenario: &Scenario,
        source: &TravelSource,
        budget: SearchBudget,
        progress: &Progress,
    ) -> Result<ScenarioRun> {
        // The limit is the user's wait for the whole plan: matrices come out of it.
        let started = std::time::Instant::now();
        let stations = station_plans::prepare(scenario, source, budget.threads, progress)?;
        let budget = SearchBudget {
            time_limit: budget.time_limit.saturating_sub(started.elapsed()),
            ..budget
        };
        progress.say(format!(
            "solving {} station-day(s) and pool-day(s) for {:.1}s ...",
            stations.len(),
            budget.time_limit.as_secs_f64()
        ));
        let plan = station_plans::solve_all(&scenario.name, &stations, budget, progress);
        // Every plan is checked independently before anyone sees it.
        for (unit, report) in station_plans::check_all(&stations, &plan)? {
            if !report.is_feasible() {
                let first = report.violations.first().map(|v| v.to_string()).unwrap_or_default();
                anyhow::bail!("internal error: the plan of {unit} fails the checker: {first}");
            }
        }
        Ok(ScenarioRun { source: source.clone(), stations, plan })
    }

    /// Writes the plan JSON at `out`, and beside it `<stem>.routes.geojson` and `<stem>.svg`.
    pub fn write(&self, out: &Path, progress: &Progress) -> Result<Vec<PathBuf>> {
        input::write_json(out, &self.plan)?;
        let lines = geojson::route_lines(&self.source, &self.stations, &self.plan);
        let geo = geojson::plan_geojson(&self.source, &self.stations, &self.plan, &lines);
        let geo_path = out.with_extension("routes.geojson");
        input::write_json(&geo_path, &geo)?;
        let svg_path = out.with_extension("svg");
        input::write_text(&svg_path, &self.map(&lines))?;
        for p in [out, geo_path.as_path(), svg_path.as_path()] {
            progress.say(format!("wrote {}", p.display()));
        }
        Ok(vec![out.to_path_buf(), geo_path, svg_path])
    }

    fn map(&self, lines: &[geojson::DrawnRoute]) -> String {
        // Circles and roads come from the road network; other sources draw neither.
        let network = self.source.roads();
        // Each station's circle (a pool's stations are its first points).
        let circles: Vec<(String, Vec<roads::LonLat>)> = self
            .stations
            .iter()
            .flat_map(|s| s.day.stations.iter().enumerate().map(move |(i, id)| (s, i, id)))
            .filter_map(|(s, i, id)| {
                let graph =
                    network?.graph(planner::travel::road_mode(s.day.modes.first().copied()?));
                let graph = graph.ok()?;
                let snap = graph
                    .snap(planner::travel::to_wgs84(&s.day.points[i]), roads::DEFAULT_SNAP_LIMIT_M)
                    .ok()?;
                let limit = s.day.problem.max_leg.map(|l| l.0).unwrap_or(900);
                let poly = graph.isochrone(&snap, limit);
                let ring =
                    poly.exterior().points().map(|p| roads::LonLat { lon: p.x(), lat: p.y() });
                Some((id.clone(), ring.collect()))
            })
            .collect();
        let roads: Vec<[roads::LonLat; 2]> = network
            .and_then(|n| n.graph(roads::Mode::Car).ok())
            .map(|g| g.segment_lines().collect())
            .unwrap_or_default();
        let mut shapes: Vec<svg::Shape> = roads.iter().map(|seg| svg::Shape::Road(seg)).collect();
        for (_, ring) in &circles {
            shapes.push(svg::Shape::Area { ring, color: "#2b6cb0" });
        }
        for l in lines {
            shapes.push(svg::Shape::Route { line: &l.line, color: l.color, label: &l.caregiver });
        }
        let points = geojson::plan_points(&self.stations, &self.plan);
        for p in &points {
            match &p.kind {
                geojson::PointKind::Stop { caregiver, .. } => {
                    let color = lines
                        .iter()
                        .find(|l| l.caregiver == *caregiver)
                        .map(|l| l.color)
                        .unwrap_or("#444");
                    shapes.push(svg::Shape::Stop { at: p.at, color });
                }
                geojson::PointKind::Unassigned { .. } => {
                    shapes.push(svg::Shape::Unassigned { at: p.at, label: p.id })
                }
                geojson::PointKind::Station => {
                    shapes.push(svg::Shape::Station { at: p.at, label: p.id })
                }
            }
        }
        let title = format!(
            "{} — {} of {} visits served by {} caregivers{}",
            self.plan.problem,
            self.plan.kpis.visits_served,
            self.plan.kpis.visits_total,
            self.plan.kpis.caregivers_used,
            if network.is_some() { "" } else { " (straight legs: the travel times have no roads)" }
        );
        svg::render(&title, &shapes, 1200.0)
    }
}
