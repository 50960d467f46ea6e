//! `carecircle token create`: a bearer token for the dispatch service.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Subcommand};
use dispatch_api::auth::{create_expiring_token, Role};
use std::process::ExitCode;

#[derive(ClapArgs)]
#[command(
    about = "Create, list and revoke bearer tokens for the dispatch service",
    after_help = "Examples:\n  carecircle token create --db sqlite://carecircle.db --role dispatcher --station S1\n  carecircle token create --db postgres://localhost/carecircle --role caregiver --caregiver C3 --expires-in 90d\n  carecircle token create --role admin --label ops\n  carecircle token list\n  carecircle token revoke 3fa9c1d20b7e"
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
        /// How long it works: days (`90d`) or hours (`12h`); default: until revoked.
        #[arg(long, value_parser = parse_lifetime)]
        expires_in: Option<i64>,
    },
    /// Every token: its public id, role, scope, creation, expiry and revocation (never the
    /// secret).
    #[command(after_help = "Example:\n  carecircle token list --db sqlite://carecircle.db")]
    List {
        #[arg(long, default_value = "sqlite://carecircle.db")]
        db: String,
    },
    /// Revoke a token by its public id (from `token list`): it is refused on its next request
    /// (within 5 s on a running service).
    #[command(
        after_help = "Example:\n  carecircle token revoke 3fa9c1d20b7e --db sqlite://carecircle.db"
    )]
    Revoke {
        /// The token's public id (12 hex digits).
        id: String,
        #[arg(long, default_value = "sqlite://carecircle.db")]
        db: String,
    },
}

/// Milliseconds in `90d` or `12h`.
fn parse_lifetime(s: &str) -> Result<i64, String> {
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| format!("{s:?} is not a lifetime like 90d or 12h"))?;
    let ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        _ => return Err(format!("{s:?}: give days (90d) or hours (12h)")),
    };
    if !(1..=3_650 * 24).contains(&(n * ms / 3_600_000)) {
        return Err(format!("{s:?}: between 1 hour and 10 years"));
    }
    Ok(n * ms)
}

fn when(ms: Option<i64>) -> String {
    ms.map_or_else(
        || "-".into(),
        |ms| {
            let secs = ms / 1000;
            let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
            let date = dispatch_api::date::PlanDate::from_days(days);
            format!("{date} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
        },
    )
}

pub fn run(args: Args) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match args.command {
        TokenCommand::Create { db, role, stations, caregiver, label, expires_in } => {
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let token = runtime.block_on(async {
                let store = super::open_store(&db).await?;
                let expires = expires_in.map(|ms| dispatch_api::store::now_ms() + ms);
                let token = create_expiring_token(
                    &store,
                    role,
                    &stations,
                    caregiver.as_deref(),
                    &label,
                    expires,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                store.close().await;
                Ok::<_, anyhow::Error>(token)
            })?;
            println!("{token}");
        }
        TokenCommand::List { db } => {
            let tokens = runtime.block_on(async {
                let store = super::open_store(&db).await?;
                let tokens = store.tokens().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                store.close().await;
                Ok::<_, anyhow::Error>(tokens)
            })?;
            println!(
                "{:<12}  {:<10}  {:<16}  {:<20}  {:<20}  {:<20}  label",
                "id", "role", "scope", "created", "expires", "revoked"
            );
            for t in tokens {
                let scope = match (&t.caregiver, t.stations.is_empty()) {
                    (Some(c), _) => format!("caregiver {c}"),
                    (None, false) => t.stations.join(","),
                    (None, true) => "all".into(),
                };
                println!(
                    "{:<12}  {:<10}  {:<16}  {:<20}  {:<20}  {:<20}  {}",
                    t.id,
                    t.role,
                    scope,
                    when(Some(t.created_ms)),
                    when(t.expires_ms),
                    when(t.revoked_ms),
                    t.label
                );
            }
        }
        TokenCommand::Revoke { id, db } => {
            let done = runtime.block_on(async {
                let store = super::open_store(&db).await?;
                let done = store.revoke_token(&id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                store.close().await;
                Ok::<_, anyhow::Error>(done)
            })?;
            if !done {
                anyhow::bail!("no token {id:?} (see `carecircle token list`)");
            }
            println!("revoked {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
