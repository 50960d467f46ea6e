//! `carecircle serve`: the dispatch service.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use roads::Mode;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::solve::seconds;
use crate::input::{self, ProblemFile};
use crate::progress::Progress;
use dispatch_api::clock::{Clock, CHINA_UTC_OFFSET_S};

#[derive(ClapArgs)]
#[command(
    about = "Run the dispatch service: orders in, schedules out (Server-Sent Events)",
    long_about = "Starts the HTTP service. Stations, caregivers and clients come from a scenario \
file (--scenario FILE, or the bundled demo with --demo); the scenario's visits become orders for \
its date (with --demo: for today, on a clock that starts at --demo-time). Orders are stored in SQLite (--db sqlite://FILE, the default) or PostgreSQL (--db \
postgres://...); any number of replicas may share one PostgreSQL database (--nats, or \
PostgreSQL's LISTEN/NOTIFY, tells each of the others' events). --demo also prints one bearer token per role; make others with `carecircle \
token create`. See the README for a dispatcher's and a caregiver's day in curl calls.",
    after_help = "Examples:\n  carecircle serve --demo\n  carecircle serve --scenario scenarios/demo.json --db sqlite://carecircle.db --addr 127.0.0.1:8080\n  carecircle serve --scenario scenarios/demo.json --db postgres://cc@db/carecircle --nats nats://nats:4222 --addr 0.0.0.0:8080   # one of several replicas\n  curl -X POST localhost:8080/v1/plans -H \"authorization: Bearer $DISPATCHER_TOKEN\" -H 'content-type: application/json' -d '{\"station\":\"S1\",\"date\":\"2026-11-25\"}'"
)]
pub struct Args {
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB.
    #[arg(long, default_value = "sqlite://carecircle.db")]
    db: String,
    /// Scenario with the stations, caregivers and clients to serve.
    #[arg(long, conflicts_with = "demo")]
    scenario: Option<PathBuf>,
    /// Serve the bundled demo scenario.
    #[arg(long)]
    demo: bool,
    /// OpenStreetMap extract (default: the scenario's "osm" field).
    #[arg(long)]
    pbf: Option<PathBuf>,
    /// With --demo: the local time of day the service's clock starts from (it then runs),
    /// so a demo day can be followed at any hour. "now" uses the real clock.
    #[arg(long, default_value = "08:30", requires = "demo")]
    demo_time: String,
    /// Alert: farther than this many metres from the planned road path counts as off it.
    #[arg(long, default_value_t = 300.0)]
    deviation_m: f64,
    /// Alert: off the path this many minutes raises a deviation alert.
    #[arg(long, default_value_t = 5)]
    deviation_minutes: u32,
    /// Alert: not checked in this many minutes after the visit's planned start (sooner when
    /// its window closes first; never before the planned start).
    #[arg(long, default_value_t = 15)]
    late_minutes: u32,
    /// Alert: not checked out this many minutes after the visit's duration.
    #[arg(long, default_value_t = 15)]
    check_out_minutes: u32,
    /// Logs as JSON lines (one object per event, with the request id) instead of text.
    #[arg(long)]
    log_json: bool,
    /// Search time per plan, in seconds.
    #[arg(long, default_value_t = 5.0)]
    time_limit: f64,
    /// Weights and thresholds of the quarterly team grades (JSON, like
    /// crates/dispatch-api/config/grades.json, the default).
    #[arg(long)]
    grades: Option<std::path::PathBuf>,
    /// How long a looked-up token is trusted, in seconds (0 to 60): a token revoked on
    /// another replica is refused within this time. 0 reads the token on every request.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=60))]
    token_cache_secs: u64,
    /// Threads each plan's search runs on. One core stays for requests: plans are searched
    /// (cores - 1) / N at once (at least one), the others wait for their turn.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: u32,
    #[command(flatten)]
    nats: NatsFlags,
    #[command(flatten)]
    queue: QueueFlags,
    /// Take requests and queue solves only: `carecircle worker` processes solve them.
    #[arg(long)]
    api_only: bool,
}

/// The NATS server of a deployment, for `serve` and `worker`.
#[derive(ClapArgs)]
pub(super) struct NatsFlags {
    /// NATS server (nats://HOST:PORT; nats://USER:PASSWORD@HOST:PORT; tls://HOST:PORT for
    /// TLS) that tells the other replicas on the same database of new events and revoked
    /// tokens, and carries the solve queue (JetStream). Without it, replicas on PostgreSQL use
    /// LISTEN/NOTIFY and the database's queue table; on SQLite the service is one process.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,
    /// NATS credentials file (.creds: a user JWT and its key), for accounts-based NATS.
    #[arg(long, value_name = "FILE", requires = "nats")]
    pub nats_creds: Option<PathBuf>,
}

impl NatsFlags {
    pub(super) fn server(&self) -> Option<dispatch_api::bus::NatsServer> {
        self.nats.as_ref().map(|url| dispatch_api::bus::NatsServer {
            url: url.clone(),
            creds: self.nats_creds.clone(),
        })
    }
}

/// What `serve` and `worker` share about the solve queue.
#[derive(ClapArgs)]
pub(super) struct QueueFlags {
    /// This process's name on the leases of the plans it solves. Keep it stable across
    /// restarts: a restarting process takes back what it held (and only that). Default: a
    /// random name.
    #[arg(long, value_name = "ID")]
    pub instance_id: Option<String>,
    /// Seconds running solves may finish after SIGTERM or Ctrl-C; then they are handed back
    /// to the queue for another worker.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub stop_grace_secs: u64,
}

impl QueueFlags {
    pub(super) fn apply(&self, config: &mut dispatch_api::ServeConfig) -> Result<()> {
        if let Some(id) = &self.instance_id {
            if id.trim().is_empty() || id.len() > 200 {
                anyhow::bail!("--instance-id: give a name of 1 to 200 characters");
            }
        }
        config.instance_id = self.instance_id.clone();
        config.stop_grace = std::time::Duration::from_secs(self.stop_grace_secs);
        Ok(())
    }
}

/// Logs go to stderr: `RUST_LOG` filters them (default: info, or warn with --quiet); each
/// request's lines carry its id.
pub(super) fn init_logs(json: bool, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(if quiet { "warn" } else { "info" }));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour && !json);
    // A second initialisation (never in the command) would only be refused.
    let _ = if json { logs.json().try_init() } else { logs.compact().try_init() };
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    init_logs(args.log_json, progress.is_quiet());
    let Inputs { mut scenario, network, matrix } =
        read_inputs(args.scenario.as_deref(), args.demo, args.pbf.as_deref(), progress)?;
    if !scenario.links.is_empty() {
        // Two-caregiver orders are the service's links; a scenario's links are not read.
        progress.say(format!(
            "warning: the scenario's {} links are imported as separate orders; post \
             two-caregiver orders (\"caregivers\": 2) for visits served together",
            scenario.links.len()
        ));
    }
    let demo = args.demo;
    let demo_clock = if demo { Some(demo_clock(&args.demo_time)?) } else { None };
    if let Some(clock) = &demo_clock {
        // The demo's visits are today's orders.
        scenario.date = Some(clock.now().0.to_string());
    }
    let mut config = dispatch_api::ServeConfig::new(
        args.addr,
        args.db,
        scenario,
        network.map(Arc::new),
        seconds(args.time_limit)?,
    );
    config.matrix = matrix.map(Arc::new);
    if let Some(clock) = demo_clock {
        config.clock = clock;
    }
    if !(args.deviation_m.is_finite() && args.deviation_m > 0.0) {
        anyhow::bail!("--deviation-m: {} is not a positive number of metres", args.deviation_m);
    }
    config.alerts.deviation_m = args.deviation_m;
    config.alerts.deviation_s = i64::from(args.deviation_minutes) * 60;
    config.alerts.late_after_s = i64::from(args.late_minutes) * 60;
    config.alerts.check_out_margin_s = i64::from(args.check_out_minutes) * 60;
    config.grades = super::report::grade_config(args.grades.as_deref())?;
    config.token_fresh = std::time::Duration::from_secs(args.token_cache_secs);
    config.solve_threads = args.threads as usize;
    config.nats = args.nats.server();
    config.solve_here = !args.api_only;
    args.queue.apply(&mut config)?;
    let spare = config.cores.saturating_sub(1).max(1);
    if config.solve_threads > spare {
        progress.say(format!(
            "warning: --threads {} is more than the {spare} cores left beside requests: plans \
             share them with the service",
            args.threads
        ));
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let state = dispatch_api::build_state(&config).await?;
        if demo {
            print_demo_tokens(&state, &config.scenario).await?;
            say(format_args!(
                "Open http://{addr}/ (dispatcher console), http://{addr}/m/ (caregiver's phone \
                 page) or http://{addr}/plan/ (planner) and sign in with a token above.",
                addr = config.addr
            ));
            plan_demo_day(&state, &config.scenario).await?;
        }
        dispatch_api::serve(config, state).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// What a service process reads on start: the scenario, the roads, the scenario's own matrix.
pub(super) struct Inputs {
    pub scenario: formats::scenario::Scenario,
    pub network: Option<roads::RoadNetwork>,
    pub matrix: Option<formats::travel_matrix::TravelMatrix>,
}

/// Reads the scenario (`scenario`, or the bundled demo's), and the roads (`pbf`, or the
/// scenario's extract) and the scenario's own matrix; with a matrix and no extract the
/// service runs without roads.
pub(super) fn read_inputs(
    scenario: Option<&std::path::Path>,
    demo: bool,
    pbf: Option<&std::path::Path>,
    progress: &Progress,
) -> Result<Inputs> {
    let path = match (scenario, demo) {
        (Some(p), _) => p.to_path_buf(),
        (None, true) => super::demo::bundled("scenarios/demo.json"),
        (None, false) => anyhow::bail!("--scenario: give a scenario file, or --demo"),
    };
    let ProblemFile::Scenario { scenario, travel } = input::read_problem(&path)? else {
        anyhow::bail!("{}: the service needs a scenario (JSON)", path.display());
    };
    // Roads (--pbf or the scenario's extract), and a scenario's own matrix, stored for each
    // station on start; with a matrix and no extract the service runs without roads.
    let (network, matrix) = match (&pbf, travel) {
        (Some(pbf), travel) => {
            let matrix = match travel {
                Some(input::TravelFile::Matrix(path)) => Some(input::read_matrix(&path, progress)?),
                _ => None,
            };
            (Some(input::load_network(pbf, &Mode::ALL, progress)?), matrix)
        }
        (None, Some(input::TravelFile::Osm(pbf))) => {
            (Some(input::load_network(&pbf, &Mode::ALL, progress)?), None)
        }
        (None, Some(input::TravelFile::Matrix(path))) => {
            progress.say("no OpenStreetMap extract: stations plan on their own matrices");
            (None, Some(input::read_matrix(&path, progress)?))
        }
        (None, Some(input::TravelFile::StraightLine(_))) => anyhow::bail!(
            "{}: the service plans on roads or stations' own matrices; straight lines are for \
             `carecircle solve` (write a matrix with `carecircle roads matrix` or pass --pbf)",
            path.display()
        ),
        (None, None) => anyhow::bail!(
            "{}: the scenario names no travel source (\"osm\" or \"travel\"); pass --pbf FILE",
            path.display()
        ),
    };
    Ok(Inputs { scenario, network, matrix })
}

/// The demo's clock: today (in the stations' time zone) from `time` (`HH:MM`), or the real
/// clock for `now`.
fn demo_clock(time: &str) -> Result<Clock> {
    let real = Clock::system(CHINA_UTC_OFFSET_S);
    if time == "now" {
        return Ok(real);
    }
    let bad = || anyhow::anyhow!("--demo-time: {time:?} is not HH:MM or now");
    let (h, m) = time.split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(Clock::running_from(&real.now().0, h * 3600 + m * 60))
}

/// A line on stdout for the person who started the demo. A closed stdout (the reader went
/// away after the tokens) must not stop the service, as `println!` would by panicking.
fn say(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Starts planning today for each demo station (a few seconds each, in the background), so
/// the console opens on a day with routes.
async fn plan_demo_day(
    state: &dispatch_api::AppState,
    scenario: &formats::scenario::Scenario,
) -> Result<()> {
    let today = state.clock.now().0;
    for station in &scenario.stations {
        if state.store.current_plan(&station.id, &today).await?.is_none() {
            // A plan of the day being solved already (another replica's) is as good.
            let _started_or_busy =
                dispatch_api::solve_worker::start(state, &station.id, &today, DEMO_PLAN_TIME)
                    .await
                    .map_err(|e| anyhow::anyhow!("planning the demo day of {}: {e}", station.id))?;
        }
    }
    Ok(())
}

/// How long the demo's first plan of each station searches.
const DEMO_PLAN_TIME: std::time::Duration = std::time::Duration::from_secs(3);

/// One fresh token per role for trying the demo: the dispatcher of the first station, one of
/// its caregivers.
async fn print_demo_tokens(
    state: &dispatch_api::AppState,
    scenario: &formats::scenario::Scenario,
) -> Result<()> {
    use dispatch_api::auth::{create_token, Role};
    let station = scenario.stations.first().map(|s| s.id.clone());
    let caregiver = scenario
        .caregivers
        .iter()
        .find(|c| Some(&c.station) == station.as_ref())
        .map(|c| c.id.clone());
    let stations: Vec<String> = station.iter().cloned().collect();
    say(format_args!("Demo tokens (shown once; export them to follow the README):"));
    for role in Role::ALL {
        let token = create_token(&state.store, role, &stations, caregiver.as_deref(), "demo")
            .await
            .map_err(|e| anyhow::anyhow!("demo token: {e}"))?;
        let scope = match role {
            Role::Dispatcher => format!(" (station {})", stations.join(",")),
            Role::Caregiver => format!(" (caregiver {})", caregiver.as_deref().unwrap_or("-")),
            _ => String::new(),
        };
        say(format_args!(
            "  export {}_TOKEN={token}{}",
            role.as_str().to_uppercase(),
            if scope.is_empty() { String::new() } else { format!("   #{scope}") }
        ));
    }
    Ok(())
}
