//! Wake-ups through PostgreSQL's LISTEN/NOTIFY, on a channel named after the deployment (the
//! channel is per database server, not per schema, so the name keeps deployments apart).

use super::{BusCounters, BusError, EventBus, Local, Wake};
use sqlx::postgres::PgListener;
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

#[derive(Debug)]
pub struct PgBus {
    local: Arc<Local>,
    pool: AnyPool,
    channel: String,
}

impl PgBus {
    /// Listens on the deployment's channel through its own connection to `url`; wake-ups are
    /// sent through `pool`.
    pub async fn connect(url: &str, pool: AnyPool, deployment: &str) -> Result<PgBus, BusError> {
        let channel = format!("carecircle_{deployment}");
        let mut listener = PgListener::connect(url).await?;
        listener.listen(&channel).await?;
        let local = Arc::new(Local::new());
        let (heard, url, listening) = (local.clone(), url.to_string(), channel.clone());
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => heard.received(n.payload()),
                    // Lost and connected again: what was said meanwhile is gone.
                    Ok(None) => heard.ring(Wake::Everything),
                    Err(e) => {
                        tracing::debug!(error = %e, "LISTEN connection lost");
                        heard.set_connected(false);
                        listener = reconnect(&url, &listening).await;
                        heard.set_connected(true);
                    }
                }
            }
        });
        Ok(PgBus { local, pool, channel })
    }
}

/// A new listener, retried every second until the server answers.
async fn reconnect(url: &str, channel: &str) -> PgListener {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Ok(mut listener) = PgListener::connect(url).await else { continue };
        if listener.listen(channel).await.is_ok() {
            return listener;
        }
    }
}

impl EventBus for PgBus {
    fn publish(&self, wake: Wake) {
        let payload = self.local.message(&wake);
        self.local.ring(wake);
        let (pool, channel) = (self.pool.clone(), self.channel.clone());
        tokio::spawn(async move {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(&pool)
                .await;
            if let Err(e) = sent {
                tracing::debug!(error = %e, "wake-up not sent through NOTIFY");
            }
        });
    }

    fn subscribe(&self) -> broadcast::Receiver<Wake> {
        self.local.wake.subscribe()
    }

    fn connected(&self) -> bool {
        self.local.connected.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn counters(&self) -> &Arc<BusCounters> {
        &self.local.counters
    }
}
