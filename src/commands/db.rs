//! `carecircle db check`: the service's database against today's limits.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use std::process::ExitCode;

#[derive(ClapArgs)]
#[command(
    about = "Look after the dispatch service's database",
    after_help = "Example:\n  carecircle db check --db sqlite://carecircle.db"
)]
pub struct Args {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Subcommand)]
enum DbCommand {
    /// List rows stored before today's limits that the limits now refuse (ids over 64
    /// characters or with spaces, over-long names, NULs, visits longer than 12 hours, ...).
    /// They stay readable and deactivatable; fix them with PUT or deactivate them. Exit
    /// status 1 when there are any. The database is migrated first, as `serve` would.
    #[command(
        after_help = "Examples:\n  carecircle db check\n  carecircle db check --db postgres://localhost/carecircle --json"
    )]
    Check {
        /// Database URL (the service's).
        #[arg(long, default_value = "sqlite://carecircle.db")]
        db: String,
        /// One JSON object per row found, on stdout.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let DbCommand::Check { db, json } = args.command;
    let found = runtime.block_on(async {
        let store = super::open_store(&db).await?;
        let found = dispatch_api::db_check::over_limits(&store)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.close().await;
        Ok::<_, anyhow::Error>(found)
    })?;
    for f in &found {
        if json {
            let line = serde_json::json!({"table": f.table, "id": f.id, "field": f.field,
                                          "reason": f.reason});
            println!("{line}");
        } else {
            println!("{} {}: {}: {}", f.table, f.id, f.field, f.reason);
        }
    }
    if found.is_empty() {
        eprintln!("every stored row is within today's limits");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} stored rows are outside today's limits: fix or deactivate them", found.len());
        Ok(ExitCode::FAILURE)
    }
}
