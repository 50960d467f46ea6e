//! `carecircle report ledger` and `report teams`: the service-hour ledger and the quarterly
//! team grades, from the dispatch service's database.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use dispatch_api::grades::{self, GradeConfig};
use dispatch_api::ledger::{self, GroupBy, Ledger, Period};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(ClapArgs)]
#[command(
    about = "Reports of what the service recorded: the service-hour ledger, the quarterly team grades",
    after_help = "Examples:\n  carecircle report ledger --db sqlite://carecircle.db --from 2026-11 --by team --out ledger.csv\n  carecircle report teams --db sqlite://carecircle.db --quarter 2026Q3 --out teams.svg"
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
        /// Also write the ledger here: .csv or .json; a chart of the hours is written
        /// beside it (.svg and .png).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Each team's score out of 100 for a quarter and its grade, from measured parts:
    /// punctuality, completion, check-in and check-out compliance, route adherence, ratings
    /// and complaints. Prints the table with every part, writes the chart (SVG and PNG) and
    /// the JSON. The same as GET /v1/reports/teams.
    #[command(
        after_help = "Example:\n  carecircle report teams --db sqlite://carecircle.db --quarter 2026Q3 --out teams.svg"
    )]
    Teams {
        /// Database URL (the service's).
        #[arg(long, default_value = "sqlite://carecircle.db")]
        db: String,
        /// The quarter, like 2026Q3.
        #[arg(long)]
        quarter: String,
        /// Weights and thresholds (JSON, like crates/dispatch-api/config/grades.json, the
        /// default).
        #[arg(long)]
        grades: Option<PathBuf>,
        /// The chart: an .svg file, with a .png and a .json beside it.
        #[arg(long, default_value = "teams.svg")]
        out: PathBuf,
    },
}

/// The grade configuration in `path`, or the shipped default.
pub fn grade_config(path: Option<&Path>) -> Result<GradeConfig> {
    let Some(path) = path else { return Ok(GradeConfig::default_config()) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    GradeConfig::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        ReportCommand::Ledger { db, from, to, by, stations, out } => {
            ledger_report(&db, &from, to.as_deref(), &by, &stations, out.as_deref(), true)
        }
        ReportCommand::Teams { db, quarter, grades, out } => {
            teams_report(&db, &quarter, grades.as_deref(), &out)
        }
    }
}

pub fn teams_report(
    db: &str,
    quarter: &str,
    config: Option<&Path>,
    out: &Path,
) -> Result<ExitCode> {
    let config = grade_config(config)?;
    if out.extension().and_then(|e| e.to_str()) != Some("svg") {
        anyhow::bail!("--out {}: must end in .svg", out.display());
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let report = runtime.block_on(async {
        let store = super::open_store(db).await?;
        let report = grades::report(&store, quarter, &config).await;
        store.close().await;
        report.map_err(|e| anyhow::anyhow!("--{e}"))
    })?;
    println!("team grades {}", report.quarter);
    println!(
        "  {:<16} {:>6} {:>6} {:>5}  parts (points: what was measured)",
        "team", "visits", "score", "grade"
    );
    for t in &report.teams {
        println!("  {:<16} {:>6} {:>6.1} {:>5}", t.team, t.visits, t.score, t.grade);
        for p in &t.parts {
            let points = p.value.map_or("not measured".to_string(), |_| format!("{:.1}", p.points));
            println!("      {:<18} {:>12}  {}", p.name, points, p.measured);
        }
    }
    let svg = grades::to_svg(&report);
    std::fs::write(out, &svg).with_context(|| format!("cannot write {}", out.display()))?;
    crate::output::png::write_png(&svg, &out.with_extension("png"))?;
    let json = out.with_extension("json");
    std::fs::write(&json, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("cannot write {}", json.display()))?;
    Ok(ExitCode::SUCCESS)
}

pub fn ledger_report(
    db: &str,
    from: &str,
    to: Option<&str>,
    by: &str,
    stations: &[String],
    out: Option<&Path>,
    print_table: bool,
) -> Result<ExitCode> {
    let period = Period::parse(from, to.unwrap_or(from)).map_err(|e| anyhow::anyhow!("--{e}"))?;
    let by = GroupBy::parse(by).ok_or_else(|| {
        anyhow::anyhow!("--by: must be client, caregiver, team, station or month")
    })?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let ledger = runtime.block_on(async {
        let store = super::open_store(db).await?;
        let stations = (!stations.is_empty()).then_some(stations);
        let ledger = ledger::read(&store, &period, by, stations).await;
        store.close().await;
        ledger.map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    if print_table {
        print!("{}", table(&ledger));
    }
    if let Some(out) = out {
        let text = match out.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(&ledger)?,
            Some("csv") => ledger::to_csv(&ledger),
            _ => anyhow::bail!("--out {}: must end in .csv or .json", out.display()),
        };
        std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))?;
        let (svg, chart) = (ledger::to_svg(&ledger), out.with_extension("svg"));
        std::fs::write(&chart, &svg)
            .with_context(|| format!("cannot write {}", chart.display()))?;
        crate::output::png::write_png(&svg, &out.with_extension("png"))?;
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
