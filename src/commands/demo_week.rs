//! `carecircle demo-week`: a week of the demo programme run through the dispatch service,
//! in-process and on a clock the command moves: each day's meal rounds and visits planned,
//! every visit checked in and out by its caregiver over the service's API (some late, a few
//! check-outs forgotten), families rating some visits from the one-time links; then the
//! week's service-hour ledger and the quarter's team grades, as a programme office reads them.

use anyhow::{bail, Context, Result};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use clap::Args as ClapArgs;
use dispatch_api::auth::{create_token, Role};
use dispatch_api::clock::Clock;
use dispatch_api::date::PlanDate;
use dispatch_api::store::VersionRow;
use dispatch_api::{station_day, AppState};
use formats::scenario::Scenario;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use solver::{check::check, Environment, MaxRuntime, Plan};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tower::ServiceExt;

use super::demo::bundled;
use super::solve::seconds;
use crate::input::{self, ProblemFile};
use crate::progress::Progress;
use crate::station_plans;

#[derive(ClapArgs)]
#[command(
    about = "Run a demo week through the service: meal rounds, check-ins, ratings, ledger, team grades",
    long_about = "Plays a week of the demo scenario (scenarios/demo.json, with its canteens) through \
the dispatch service in-process, on a SQLite file in the output folder: each day the orders are \
booked, every station's day is planned (meals as rounds from the canteens: picked up, delivered \
hot within the ride-time limit, never more than the box holds) and checked by the independent \
checker; caregivers check in at the client's door and out over the API (some late, a few \
check-outs forgotten) and families rate some visits from the one-time links. Prints a line per \
day, then the week's service-hour ledger by station and the quarter's team grades; writes each \
day's plan (day-N.json), ledger.csv (by client) with its chart, teams.svg/.png/.json and \
ratings.json.",
    after_help = "Examples:\n  carecircle demo-week\n  carecircle demo-week --days 3 --out /tmp/week --time-limit 2"
)]
pub struct Args {
    /// Output folder (its week.db is replaced).
    #[arg(long, default_value = "out/demo-week")]
    out: PathBuf,
    /// Days to play.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Search time per station and day, in seconds.
    #[arg(long, default_value_t = 3.0)]
    time_limit: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Scenario to play instead of the bundled demo.
    #[arg(long)]
    scenario: Option<PathBuf>,
    #[command(flatten)]
    threads: input::ThreadFlags,
}

/// Share of visits each caregiver starts late (caregivers differ, so teams do), and how late
/// (minutes).
const LATE_HABITS: [f64; 4] = [0.03, 0.1, 0.2, 0.45];
const LATE_MINUTES: (i64, i64) = (5, 30);
/// Caregivers per team.
const TEAM_SIZE: usize = 4;
/// Share of check-outs forgotten, and of visits a family rates.
const FORGOTTEN_CHECK_OUT: f64 = 0.04;
const RATED: f64 = 0.5;
/// Stars families give, with their weights, and what they write.
const STARS: [(i64, u32); 5] = [(5, 60), (4, 25), (3, 8), (2, 5), (1, 2)];
/// Stars after a visit that started a quarter of an hour late or more.
const STARS_LATE: [(i64, u32); 5] = [(5, 10), (4, 20), (3, 35), (2, 25), (1, 10)];
const COMMENTS: [&str; 5] =
    ["服务很好，谢谢", "准时，饭菜还是热的", "还可以", "来晚了", "没有打扫干净"];

/// What one day of the week came to.
#[derive(Default)]
struct DayFigures {
    orders: usize,
    served: usize,
    meals: Option<solver::MealFigures>,
    check_ins: usize,
    check_outs: usize,
    ratings: Vec<i64>,
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    if args.days == 0 || args.days > 92 {
        bail!("--days: {} is not between 1 and 92", args.days);
    }
    let limit = seconds(args.time_limit)?;
    let threads = args.threads.threads(progress);
    let path = args.scenario.clone().unwrap_or_else(|| bundled("scenarios/demo.json"));
    let ProblemFile::Scenario { scenario, travel } = input::read_problem(&path)? else {
        bail!("{}: the demo week needs a scenario (JSON)", path.display());
    };
    if scenario.canteens.is_empty() {
        progress.say("note: the scenario has no canteens, so meals are plain visits");
    }
    let first = PlanDate::parse(scenario.date.as_deref().unwrap_or("2026-11-25"))
        .map_err(|e| anyhow::anyhow!("{}: date: {e}", path.display()))?;
    let osm = travel.as_ref().and_then(input::TravelFile::osm);
    let pbf = station_plans::scenario_extract(None, osm)?;
    let network = Arc::new(input::load_network(&pbf, &roads::Mode::ALL, progress)?);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let db_file = args.out.join("week.db");
    for stale in ["week.db", "week.db-wal", "week.db-shm"] {
        let _ = std::fs::remove_file(args.out.join(stale));
    }
    let db = format!("sqlite://{}", db_file.display());
    let days: Vec<PlanDate> =
        (0..i64::from(args.days)).map(|k| PlanDate::from_days(first.days() + k)).collect();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let week = runtime.block_on(async {
        let mut config = dispatch_api::ServeConfig::new(
            "127.0.0.1:0".parse()?,
            db.clone(),
            day_scenario(&scenario, &days[0], 0),
            Some(network),
            limit,
        );
        config.clock = Clock::fixed(&days[0], 6 * 3600);
        let state = dispatch_api::build_state(&config).await?;
        let mut week = Week::new(&state, &scenario, args.seed, threads).await?;
        println!(
            "  {:<10} {:>6} {:>6} {:>11} {:>12} {:>9} {:>10} {:>8}",
            "day",
            "orders",
            "served",
            "meals/rnds",
            "ride avg/max",
            "check-in",
            "check-out",
            "ratings"
        );
        for (k, date) in days.iter().enumerate() {
            let figures = week.play(date, k, limit, &args.out, progress).await?;
            println!("{}", day_line(date, &figures));
        }
        let ratings = week.ratings().await?;
        state.store.close().await;
        Ok::<_, anyhow::Error>(ratings)
    })?;
    drop(runtime);
    let ratings = args.out.join("ratings.json");
    std::fs::write(&ratings, serde_json::to_string_pretty(&week)?)
        .with_context(|| format!("cannot write {}", ratings.display()))?;
    // The ledger reads whole months: the database holds only this week.
    let (from, to) = (days[0].month().to_string(), days[days.len() - 1].month().to_string());
    println!();
    super::report::ledger_report(&db, &from, Some(&to), "station", &[], None, true)?;
    let by_client = args.out.join("ledger.csv");
    super::report::ledger_report(&db, &from, Some(&to), "client", &[], Some(&by_client), false)?;
    println!();
    super::report::teams_report(&db, &days[0].quarter(), None, &args.out.join("teams.svg"))?;
    progress.say(format!(
        "wrote {}: day-N.json (plans), ledger.csv/.svg/.png, teams.svg/.png/.json, ratings.json, week.db",
        args.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The scenario's visits as day `k`'s orders (ids `V1-d3`: each day books its own).
fn day_scenario(scenario: &Scenario, date: &PlanDate, k: usize) -> Scenario {
    let mut day = scenario.clone();
    day.date = Some(date.to_string());
    for v in &mut day.visits {
        v.id = format!("{}-d{}", v.id, k + 1);
    }
    day.links.clear();
    day
}

fn day_line(date: &PlanDate, f: &DayFigures) -> String {
    let (meals, ride) = match &f.meals {
        Some(m) => (
            format!("{}/{}", m.delivered, m.rounds),
            format!("{}/{}", minutes(m.ride_mean.0), minutes(m.ride_max.0)),
        ),
        None => ("-".into(), "-".into()),
    };
    let stars = if f.ratings.is_empty() {
        "-".to_string()
    } else {
        format!(
            "{:.1}★ ({})",
            f.ratings.iter().sum::<i64>() as f64 / f.ratings.len() as f64,
            f.ratings.len()
        )
    };
    format!(
        "  {:<10} {:>6} {:>6} {:>11} {:>12} {:>9} {:>10} {:>8}",
        date.as_str(),
        f.orders,
        f.served,
        meals,
        ride,
        f.check_ins,
        f.check_outs,
        stars
    )
}

fn minutes(s: i64) -> String {
    format!("{}m", (s + 30) / 60)
}

/// The service, its tokens and the scenario being played.
struct Week<'a> {
    state: &'a AppState,
    router: axum::Router,
    scenario: &'a Scenario,
    admin: String,
    /// Each caregiver's token and share of late starts.
    caregivers: HashMap<String, (String, f64)>,
    rng: ChaCha8Rng,
    seed: u64,
    /// Station-days planned at once, and the rest on each day's search.
    threads: usize,
}

impl<'a> Week<'a> {
    async fn new(
        state: &'a AppState,
        scenario: &'a Scenario,
        seed: u64,
        threads: usize,
    ) -> Result<Week<'a>> {
        let token = |e: dispatch_api::AppError| anyhow::anyhow!("demo token: {e}");
        let admin =
            create_token(&state.store, Role::Admin, &[], None, "demo-week").await.map_err(token)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut caregivers = HashMap::new();
        for c in &scenario.caregivers {
            let stations = [c.station.clone()];
            let t =
                create_token(&state.store, Role::Caregiver, &stations, Some(&c.id), "demo-week")
                    .await
                    .map_err(token)?;
            let habit = LATE_HABITS[rng.gen_range(0..LATE_HABITS.len())];
            caregivers.insert(c.id.clone(), (t, habit));
        }
        let week = Week {
            state,
            router: dispatch_api::app(state.clone()),
            scenario,
            admin,
            caregivers,
            rng,
            seed,
            threads,
        };
        week.form_teams().await?;
        Ok(week)
    }

    /// Teams of four caregivers per station (一队, 二队, ...), booked as master data.
    async fn form_teams(&self) -> Result<()> {
        const NUMBERS: [&str; 6] = ["一", "二", "三", "四", "五", "六"];
        for s in &self.scenario.stations {
            let staff: Vec<&str> = self
                .scenario
                .caregivers
                .iter()
                .filter(|c| c.station == s.id)
                .map(|c| c.id.as_str())
                .collect();
            for (k, members) in staff.chunks(TEAM_SIZE).enumerate() {
                let name = NUMBERS.get(k).map_or(format!("{}队", k + 1), |n| format!("{n}队"));
                let body = json!({"id": format!("{}-T{}", s.id, k + 1), "station": s.id,
                                  "name": format!("{} {name}", s.id), "caregivers": members});
                let (status, answer) =
                    self.call(Some(&self.admin), "POST", "/v1/teams", body).await?;
                if !status.is_success() {
                    bail!("team {} of {}: {status} {answer}", k + 1, s.id);
                }
            }
        }
        Ok(())
    }

    /// One request to the service; the answer's status and JSON body.
    async fn call(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Value,
    ) -> Result<(StatusCode, Value)> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            request = request.header("authorization", format!("Bearer {t}"));
        }
        let request = match body {
            Value::Null => request.body(Body::empty())?,
            body => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))?,
        };
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await?;
        Ok((status, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
    }

    /// Books day `k`'s orders, plans every station, and plays the day.
    async fn play(
        &mut self,
        date: &PlanDate,
        k: usize,
        limit: std::time::Duration,
        out: &std::path::Path,
        progress: &Progress,
    ) -> Result<DayFigures> {
        let clock = &self.state.clock;
        clock.set(date, 6 * 3600);
        let booked = day_scenario(self.scenario, date, k);
        if k > 0 {
            self.state.store.import_scenario(&booked, Some(date)).await?;
        }
        let mut figures = DayFigures::default();
        let plans = self.plan_stations(date, k, limit).await?;
        for (station, plan) in self.scenario.stations.iter().zip(&plans) {
            progress.say(format!("{date} {}: {}", station.id, station_plans::kpi_line(&plan.kpis)));
            figures.orders += plan.kpis.visits_total;
            figures.served += plan.kpis.visits_served;
            if let Some(m) = &plan.kpis.meals {
                figures.meals.get_or_insert_with(Default::default).add(m);
            }
        }
        let homes: HashMap<&str, formats::scenario::GeoPoint> =
            booked.clients.iter().map(|c| (c.id.as_str(), c.location)).collect();
        let client_of: HashMap<&str, &str> =
            booked.visits.iter().map(|v| (v.id.as_str(), v.client.as_str())).collect();
        for plan in &plans {
            for route in &plan.routes {
                let Some((token, habit)) = self.caregivers.get(&route.caregiver).cloned() else {
                    continue;
                };
                for stop in route.stops.iter().filter(|s| s.pickup_for.is_none()) {
                    let Some(home) = client_of.get(stop.visit.as_str()).and_then(|c| homes.get(c))
                    else {
                        continue;
                    };
                    self.serve_visit(date, (&token, habit), stop, home, &mut figures).await?;
                }
            }
        }
        let merged = station_plans::merge(&format!("demo week {date}"), plans);
        let file = out.join(format!("day-{}.json", k + 1));
        std::fs::write(&file, serde_json::to_string_pretty(&merged)?)
            .with_context(|| format!("cannot write {}", file.display()))?;
        Ok(figures)
    }

    /// Plans every station's day as the service does (meals as rounds from the canteens the
    /// scenario brought), `self.threads` at once, checks each plan and stores it as the
    /// station's plan of the day. The plans in station order.
    async fn plan_stations(
        &self,
        date: &PlanDate,
        k: usize,
        limit: std::time::Duration,
    ) -> Result<Vec<Plan>> {
        let state = self.state;
        let mut days = Vec::new();
        for station in &self.scenario.stations {
            let station = station.id.as_str();
            let (day, _) = station_day::scenario(state, station, date, false)
                .await
                .map_err(|e| anyhow::anyhow!("{station} on {date}: {e}"))?;
            let source = dispatch_api::travel::of_station(state, station)
                .await
                .map_err(|e| anyhow::anyhow!("{station}: {e}"))?;
            days.push((day, source));
        }
        let travel = state.travel.clone();
        let (seed, threads) = (self.seed + k as u64, self.threads);
        let (days, plans) = tokio::task::spawn_blocking(move || {
            let (at_once, walks) = planner::parallel::split(threads, days.len());
            let plans = planner::parallel::in_parallel(&days, at_once, |(day, source)| {
                let problem = travel
                    .day_problem(source, day)
                    .map_err(|e| anyhow::anyhow!("{station}: {e}", station = day.name))?;
                let (p, matrices) = (&problem.day.problem, &problem.travel.matrices);
                let mut env = Environment::new(seed, MaxRuntime::new(limit)).with_threads(walks);
                let plan = solver::solve(p, matrices, &mut env);
                if let Some(v) = check(p, matrices, &plan).violations.first() {
                    bail!("{}: the plan failed the independent checker: {v}", p.name);
                }
                Ok(plan)
            });
            (days, plans)
        })
        .await?;
        let store = &state.store;
        let mut done = Vec::new();
        for (station, ((_, source), plan)) in
            self.scenario.stations.iter().zip(days.iter().zip(plans))
        {
            let plan = plan?;
            let version = VersionRow {
                seq: 1,
                kpis: serde_json::to_value(&plan.kpis)?,
                plan: serde_json::to_value(&plan)?,
                is_final: true,
            };
            let mut change = store.change(&station.id).await?;
            if change.store_solved_plan(date, &source.label, &version).await?.is_err() {
                bail!("{} on {date}: another plan of the day is being solved", station.id);
            }
            change.commit().await?;
            done.push(plan);
        }
        Ok(done)
    }

    /// The caregiver checks in at the door (on time, or late), checks out after the service
    /// (or forgets), and the family may rate the visit from the link.
    async fn serve_visit(
        &mut self,
        date: &PlanDate,
        (token, late_share): (&str, f64),
        stop: &solver::Stop,
        home: &formats::scenario::GeoPoint,
        figures: &mut DayFigures,
    ) -> Result<()> {
        let late = if self.rng.gen_bool(late_share) {
            60 * self.rng.gen_range(LATE_MINUTES.0..=LATE_MINUTES.1)
        } else {
            0
        };
        let at = json!({"lon": home.lon, "lat": home.lat, "crs": home.crs});
        self.state.clock.set(date, stop.start.0 + late);
        let path = format!("/v1/me/visits/{}/check-in", stop.visit);
        let (status, answer) = self.call(Some(token), "POST", &path, at.clone()).await?;
        if !status.is_success() {
            bail!("check-in of {}: {status} {answer}", stop.visit);
        }
        figures.check_ins += 1;
        if self.rng.gen_bool(FORGOTTEN_CHECK_OUT) {
            return Ok(());
        }
        self.state.clock.set(date, stop.end.0 + late);
        let path = format!("/v1/me/visits/{}/check-out", stop.visit);
        let (status, answer) = self.call(Some(token), "POST", &path, at).await?;
        if !status.is_success() {
            bail!("check-out of {}: {status} {answer}", stop.visit);
        }
        figures.check_outs += 1;
        let link = answer["rating_link"].as_str().and_then(|l| l.strip_prefix("/rate/"));
        if let Some(link) = link.filter(|_| self.rng.gen_bool(RATED)) {
            let weights = if late >= 15 * 60 { &STARS_LATE } else { &STARS };
            let total: u32 = weights.iter().map(|s| s.1).sum();
            let mut pick = self.rng.gen_range(0..total);
            let stars = weights.iter().find(|s| {
                let hit = pick < s.1;
                pick = pick.saturating_sub(s.1);
                hit
            });
            let stars = stars.map_or(5, |s| s.0);
            let comment = COMMENTS[(5 - stars) as usize];
            let body = json!({"stars": stars, "comment": comment});
            let (status, answer) =
                self.call(None, "POST", &format!("/v1/ratings/{link}"), body).await?;
            if !status.is_success() {
                bail!("rating of {}: {status} {answer}", stop.visit);
            }
            figures.ratings.push(stars);
        }
        Ok(())
    }

    /// Every station's ratings, as the station sees them.
    async fn ratings(&self) -> Result<Value> {
        let mut all = serde_json::Map::new();
        for s in &self.scenario.stations {
            let path = format!("/v1/stations/{}/ratings", s.id);
            let (status, answer) = self.call(Some(&self.admin), "GET", &path, Value::Null).await?;
            if !status.is_success() {
                bail!("{path}: {status} {answer}");
            }
            all.insert(s.id.clone(), answer);
        }
        Ok(Value::Object(all))
    }
}
