//! `carecircle token create`: a bearer token for the dispatch service.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use dispatch_api::auth::{create_token, Role};
use dispatch_api::store::Store;
use std::process::ExitCode;

#[derive(ClapArgs)]
#[command(
    about = "Create bearer tokens for the dispatch service",
    after_help = "Examples:\n  carecircle token create --db sqlite://carecircle.db --role dispatcher --station S1\n  carecircle token create --db postgres://localhost/carecircle --role caregiver --caregiver C3\n  carecircle token create --role admin --label ops"
)]
pub struct Args {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it once (only its SHA-256 hash is stored).
    #[command(after_help = "Roles: admin (everything), dispatcher (their stations), caregiver \
(their own route and check-ins), planner (reads and simulates).\n\nExample:\n  carecircle token create --role dispatcher --station S1 --station S2")]
    Create {
        /// Database URL (the service's).
        #[arg(long, default_value = "sqlite://carecircle.db")]
        db: String,
        /// admin, dispatcher, caregiver or planner.
        #[arg(long)]
        role: String,
        /// A dispatcher's station (repeat for several).
        #[arg(long = "station")]
        stations: Vec<String>,
        /// The caregiver a caregiver token speaks for.
        #[arg(long)]
        caregiver: Option<String>,
        /// A note to tell tokens apart.
        #[arg(long, default_value = "")]
        label: String,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    let TokenCommand::Create { db, role, stations, caregiver, label } = args.command;
    let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let token = runtime.block_on(async {
        let store = Store::connect(&db)
            .await
            .with_context(|| format!("database {}", dispatch_api::app::redact(&db)))?;
        let token = create_token(&store, role, &stations, caregiver.as_deref(), &label)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.close().await;
        Ok::<_, anyhow::Error>(token)
    })?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
