//! `carecircle report ledger`: the service-hour ledger of the dispatch service's database.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use dispatch_api::ledger::{self, GroupBy, Ledger, Period};
use dispatch_api::store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
#[command(
    about = "Reports of what the service recorded: the service-hour ledger",
    after_help = "Example:\n  carecircle report ledger --db sqlite://carecircle.db --from 2026-11 --by team --out ledger.csv"
)]
pub struct Args {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Service hours of finished visits (checked in and out), by client, caregiver, team,
    /// station or month: visits, hours, clients served, hours per service and, by client, the
    /// monthly entitlement over the period. The same as GET /v1/ledger.
    #[command(
        after_help = "Examples:\n  carecircle report ledger --from 2026-11 --by client\n  carecircle report ledger --db postgres://localhost/carecircle --from 2026-07 --to 2026-09 --by team --out q3.csv"
    )]
    Ledger {
        /// Database URL (the service's).
        #[arg(long, default_value = "sqlite://carecircle.db")]
        db: String,
        /// First month, YYYY-MM.
        #[arg(long)]
        from: String,
        /// Last month, YYYY-MM (default: --from).
        #[arg(long)]
        to: Option<String>,
        /// client, caregiver, team, station or month.
        #[arg(long, default_value = "station")]
        by: String,
        /// Only this station (repeat for several).
        #[arg(long = "station")]
        stations: Vec<String>,
        /// Also write the ledger here: .csv or .json.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    let ReportCommand::Ledger { db, from, to, by, stations, out } = args.command;
    let period = Period::parse(&from, to.as_deref().unwrap_or(&from))
        .map_err(|e| anyhow::anyhow!("--{e}"))?;
    let by = GroupBy::parse(&by).ok_or_else(|| {
        anyhow::anyhow!("--by: must be client, caregiver, team, station or month")
    })?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let ledger = runtime.block_on(async {
        let store = Store::connect(&db)
            .await
            .with_context(|| format!("database {}", dispatch_api::app::redact(&db)))?;
        let stations = (!stations.is_empty()).then_some(stations.as_slice());
        let ledger = ledger::read(&store, &period, by, stations).await;
        store.close().await;
        ledger.map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    print!("{}", table(&ledger));
    if let Some(out) = out {
        let text = match out.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(&ledger)?,
            Some("csv") => ledger::to_csv(&ledger),
            _ => anyhow::bail!("--out {}: must end in .csv or .json", out.display()),
        };
        std::fs::write(&out, text).with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The ledger as a text table, totals last.
fn table(l: &Ledger) -> String {
    let mut out = format!("ledger {} to {}, by {}\n", l.from, l.to, l.by.as_str());
    out.push_str(&format!(
        "  {:<20} {:>7} {:>10} {:>8} {:>10}\n",
        l.by.as_str(),
        "visits",
        "hours",
        "clients",
        "entitled"
    ));
    for t in l.rows.iter().chain(std::iter::once(&l.totals)) {
        let entitled = t.entitled_hours.map(|h| format!("{h:.1}")).unwrap_or_default();
        out.push_str(&format!(
            "  {:<20} {:>7} {:>10.2} {:>8} {:>10}\n",
            t.key, t.visits, t.hours, t.clients_served, entitled
        ));
    }
    out
}
