//! `carecircle worker`: a process that only solves, taking plans and re-plan improvements
//! from the deployment's solve queue.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::serve::{init_logs, read_inputs, Inputs, NatsFlags, QueueFlags};
use super::solve::seconds;
use crate::progress::Progress;
use dispatch_api::solve_worker::SolveCores;

#[derive(ClapArgs)]
#[command(
    about = "Solve plans from the queue: any number of workers beside `serve --api-only` replicas",
    long_about = "Takes jobs (a station-day's plan, a re-plan's improvement) from the \
deployment's solve queue — NATS JetStream with --nats, else the PostgreSQL database's own table — \
and solves them on the roads (--pbf, or the scenario's extract) or the stations' own matrices. \
Each plan is held by a lease in the database: versions are stored only while this worker holds \
it, a worker that stops is replaced within about 30 s, and after SIGTERM running plans may \
finish for --stop-grace-secs, then go back to the queue. Threads × concurrency never exceed \
the machine's cores. /healthz, /readyz and /metrics (queue depth, jobs, waits) answer on --addr.",
    after_help = "Examples:\n  carecircle worker --db postgres://cc@db/carecircle --nats nats://nats:4222 --instance-id worker-1 --pbf data/osm/rongcheng.osm.pbf\n  carecircle worker --db postgres://127.0.0.1/test --instance-id w2 --demo --concurrency 1 --addr 127.0.0.1:9091"
)]
pub struct Args {
    /// PostgreSQL database of the deployment: postgres://USER@HOST/DB.
    #[arg(long)]
    db: String,
    #[command(flatten)]
    nats: NatsFlags,
    #[command(flatten)]
    queue: QueueFlags,
    /// Plans solved at once (default: as many as fit in the cores with --threads each).
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Threads each plan's search runs on.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: u32,
    /// Where /healthz, /readyz and /metrics answer.
    #[arg(long, default_value = "127.0.0.1:9090")]
    addr: SocketAddr,
    /// OpenStreetMap extract of the roads (default: the scenario's "osm" field).
    #[arg(long)]
    pbf: Option<PathBuf>,
    /// A scenario whose extract gives the roads (nothing of it is imported: `serve` does).
    #[arg(long, conflicts_with = "demo")]
    scenario: Option<PathBuf>,
    /// The bundled demo's roads.
    #[arg(long)]
    demo: bool,
    /// The longest a plan may search, in seconds (a plan asks for its own, up to this).
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Logs as JSON lines (one object per event; each job's end with its wait and run time).
    #[arg(long)]
    log_json: bool,
}

pub fn run(args: Args, progress: &Progress) -> Result<ExitCode> {
    init_logs(args.log_json, progress.is_quiet());
    if dispatch_api::store::Backend::of_url(&args.db)
        != Some(dispatch_api::store::Backend::Postgres)
    {
        anyhow::bail!(
            "--db: a worker needs the deployment's PostgreSQL database (postgres://...); on \
             SQLite, `carecircle serve` solves in its own process"
        );
    }
    if args.queue.instance_id.is_none() {
        anyhow::bail!(
            "--instance-id: give each worker a name that stays the same across its restarts \
             (worker-1, worker-2, ...): a restarting worker takes back the plans it held"
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let solve_cores = SolveCores::for_worker(args.threads as usize, args.concurrency, cores)
        .map_err(|reason| anyhow::anyhow!("--concurrency: {reason}"))?;
    let network = match (&args.scenario, args.demo, &args.pbf) {
        (None, false, None) => {
            anyhow::bail!("--pbf: give the roads' extract (or --scenario FILE, or --demo)")
        }
        (None, false, Some(pbf)) => {
            Some(crate::input::load_network(pbf, &roads::Mode::ALL, progress)?)
        }
        (scenario, demo, pbf) => {
            let Inputs { network, .. } =
                read_inputs(scenario.as_deref(), demo, pbf.as_deref(), progress)?;
            network
        }
    };
    let mut config = dispatch_api::ServeConfig::new(
        args.addr,
        args.db,
        formats::scenario::Scenario::default(),
        network.map(Arc::new),
        seconds(args.time_limit)?,
    );
    config.nats = args.nats.server();
    config.solve_threads = solve_cores.threads;
    config.worker_concurrency = Some(solve_cores.at_once);
    args.queue.apply(&mut config)?;
    progress.say(format!(
        "worker {}: {} plans at once, {} threads each",
        config.instance_id.as_deref().unwrap_or("-"),
        solve_cores.at_once,
        solve_cores.threads
    ));
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let state = dispatch_api::build_state(&config).await?;
        dispatch_api::run_worker(config, state).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
