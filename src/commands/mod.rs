//! One file per subcommand.

pub mod check;
pub mod coverage;
pub mod db;
pub mod demo;
pub mod demo_week;
pub mod report;
pub mod roads;
pub mod scenario;
pub mod serve;
pub mod simulate;
pub mod solve;
pub mod token;
pub mod week;
pub mod worker;

/// Opens (and migrates) the service's database for a command, naming it without its password
/// when it cannot.
pub async fn open_store(db: &str) -> anyhow::Result<dispatch_api::store::Store> {
    use anyhow::Context;
    dispatch_api::store::Store::connect(db)
        .await
        .with_context(|| format!("database {}", dispatch_api::app::redact(db)))
}
