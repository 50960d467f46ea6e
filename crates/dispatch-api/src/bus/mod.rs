//! The event bus: how every replica learns, at once, that a station's stream has new events
//! (or that a token was revoked). The events themselves live in the database, numbered per
//! station in the transaction of the change that made them (`store::StationChange`); the bus
//! only carries wake-ups, so a lost one costs latency, never an event: streams also read the
//! database on a timer, every second while the bus is down.
//!
//! Three ways to carry them, behind [`EventBus`]: NATS core subjects (`--nats URL`),
//! PostgreSQL LISTEN/NOTIFY (a PostgreSQL database without NATS), and in process (SQLite, one
//! process: the embedded default).

mod nats;
mod postgres;

pub use nats::NatsBus;
pub use postgres::PgBus;

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::broadcast;

/// A NATS server and how to sign in: user and password in the URL
/// (`nats://cc:secret@nats:4222`), TLS with `tls://`, or a credentials file (`.creds`, for
/// NATS accounts with JWTs).
#[derive(Clone, Debug)]
pub struct NatsServer {
    pub url: String,
    pub creds: Option<std::path::PathBuf>,
}

impl NatsServer {
    pub fn new(url: &str) -> NatsServer {
        NatsServer { url: url.to_string(), creds: None }
    }

    /// Options to connect as `name`, with the credentials file read; `Err` names the reason.
    pub async fn options(&self, name: &str) -> Result<async_nats::ConnectOptions, String> {
        let options = match &self.creds {
            Some(path) => async_nats::ConnectOptions::with_credentials_file(path)
                .await
                .map_err(|e| format!("credentials file {}: {e}", path.display()))?,
            None => async_nats::ConnectOptions::new(),
        };
        Ok(options.name(name).connection_timeout(Duration::from_secs(5)).retry_on_initial_connect())
    }
}

/// What a wake-up says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wake {
    /// The station's stream has new events.
    Events(String),
    /// Wake-ups may have been missed (the bus reconnected): every stream reads the database.
    Everything,
    /// A token was revoked: token caches forget what they hold.
    TokensRevoked,
}

impl Wake {
    /// The text on the wire, after the sender's origin.
    fn encode(&self) -> String {
        match self {
            Wake::Events(station) => format!("e {station}"),
            Wake::Everything => "*".to_string(),
            Wake::TokensRevoked => "t".to_string(),
        }
    }

    fn decode(text: &str) -> Option<Wake> {
        match text.split_once(' ') {
            Some(("e", station)) => Some(Wake::Events(station.to_string())),
            _ if text == "*" => Some(Wake::Everything),
            _ if text == "t" => Some(Wake::TokensRevoked),
            _ => None,
        }
    }
}

/// Carries wake-ups among the replicas of one deployment (one database).
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Tells every replica, this one included, of `wake`. Called after the change committed;
    /// never fails it: a wake-up that does not arrive is made up for by the streams' timer.
    fn publish(&self, wake: Wake);
    /// Wake-ups from every replica, this one included.
    fn subscribe(&self) -> broadcast::Receiver<Wake>;
    /// Whether wake-ups from other replicas arrive now.
    fn connected(&self) -> bool;
    /// `in-process`, `postgres` or `nats`, for `/readyz` and the logs.
    fn kind(&self) -> &'static str;
    /// Counters for `/metrics`.
    fn counters(&self) -> &Arc<BusCounters>;
}

/// How often a stream reads the database without a wake-up: a safety net while the bus is
/// up (a replica killed between its commit and its wake-up), the only way while it is down.
pub fn poll_every(bus: &dyn EventBus) -> Duration {
    if bus.connected() {
        Duration::from_secs(10)
    } else {
        Duration::from_secs(1)
    }
}

/// What a stream of a station's events does after waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Read the database again: there may be something new.
    ReadAgain,
    /// End the stream.
    End,
}

/// Waits until a station's stream may have something new in the database: a wake-up of the
/// station, a sign that wake-ups were missed, or the timer ([`poll_every`]). `End` when the
/// service stops (`shutdown`), the listener leaves (`left` resolves) or the bus is gone.
pub async fn station_news(
    bus: &dyn EventBus,
    wake: &mut broadcast::Receiver<Wake>,
    station: &str,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
    left: impl std::future::Future<Output = ()>,
) -> Next {
    let read_again = tokio::time::sleep(poll_every(bus));
    tokio::pin!(read_again, left);
    loop {
        tokio::select! {
            woke = wake.recv() => match woke {
                Ok(Wake::Events(s)) if s != station => continue,
                Ok(Wake::TokensRevoked) => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => return Next::ReadAgain,
                Err(broadcast::error::RecvError::Closed) => return Next::End,
            },
            () = &mut read_again => return Next::ReadAgain,
            _ = shutdown.changed() => return Next::End,
            () = &mut left => return Next::End,
        }
    }
}

#[derive(Debug, Error)]
pub enum BusError {
    #[error("NATS at {url}: {reason}")]
    Nats { url: String, reason: String },
    #[error("PostgreSQL LISTEN: {0}")]
    Listen(#[from] sqlx::Error),
}

/// What `/metrics` tells of the bus.
#[derive(Debug, Default)]
pub struct BusCounters {
    published: AtomicU64,
    received: AtomicU64,
    subscribers: AtomicI64,
}

impl BusCounters {
    /// Events committed by this replica.
    pub fn events_published(&self, n: u64) {
        self.published.fetch_add(n, Ordering::Relaxed);
    }

    /// A stream opened; it counts until the guard is dropped.
    pub fn subscriber(self: &Arc<Self>) -> SubscriberGuard {
        self.subscribers.fetch_add(1, Ordering::Relaxed);
        SubscriberGuard(self.clone())
    }

    /// The Prometheus text lines.
    pub fn render(&self, bus: &dyn EventBus) -> String {
        format!(
            "# HELP carecircle_events_published_total Events this replica committed.\n\
             # TYPE carecircle_events_published_total counter\n\
             carecircle_events_published_total {}\n\
             # HELP carecircle_bus_wakeups_received_total Wake-ups from other replicas.\n\
             # TYPE carecircle_bus_wakeups_received_total counter\n\
             carecircle_bus_wakeups_received_total {}\n\
             # HELP carecircle_event_subscribers Event streams open on this replica.\n\
             # TYPE carecircle_event_subscribers gauge\n\
             carecircle_event_subscribers {}\n\
             # HELP carecircle_bus_connected Whether wake-ups from other replicas arrive.\n\
             # TYPE carecircle_bus_connected gauge\n\
             carecircle_bus_connected{{bus=\"{}\"}} {}\n",
            self.published.load(Ordering::Relaxed),
            self.received.load(Ordering::Relaxed),
            self.subscribers.load(Ordering::Relaxed),
            bus.kind(),
            u8::from(bus.connected()),
        )
    }
}

/// Counts one open stream.
#[derive(Debug)]
pub struct SubscriberGuard(Arc<BusCounters>);

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        self.0.subscribers.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What every bus keeps in this process: the local fan-out and who this replica is.
#[derive(Debug)]
struct Local {
    wake: broadcast::Sender<Wake>,
    /// Tells this replica's own wake-ups apart when the bus brings them back.
    origin: String,
    counters: Arc<BusCounters>,
    connected: AtomicBool,
}

impl Local {
    fn new() -> Local {
        let (wake, _) = broadcast::channel(1024);
        Local {
            wake,
            origin: format!("{:016x}", rand::random::<u64>()),
            counters: Arc::default(),
            connected: AtomicBool::new(true),
        }
    }

    /// Rings here; nobody listening is fine.
    fn ring(&self, wake: Wake) {
        let _ = self.wake.send(wake);
    }

    /// `origin wake`, as sent to the other replicas.
    fn message(&self, wake: &Wake) -> String {
        format!("{} {}", self.origin, wake.encode())
    }

    /// Rings here what another replica sent; drops this replica's own (rung already).
    fn received(&self, message: &str) {
        let Some((origin, text)) = message.split_once(' ') else { return };
        if origin == self.origin {
            return;
        }
        if let Some(wake) = Wake::decode(text) {
            self.counters.received.fetch_add(1, Ordering::Relaxed);
            self.ring(wake);
        }
    }

    /// The bus went down or came back: either way, wake-ups may have been missed.
    fn set_connected(&self, up: bool) {
        let was = self.connected.swap(up, Ordering::Relaxed);
        if was != up {
            if up {
                tracing::info!("event bus connected again");
            } else {
                tracing::warn!("event bus lost: streams read the database every second");
            }
            self.ring(Wake::Everything);
        }
    }
}

/// One process: wake-ups go from the change to the streams in memory.
#[derive(Debug)]
pub struct InProcessBus(Local);

impl Default for InProcessBus {
    fn default() -> InProcessBus {
        InProcessBus(Local::new())
    }
}

impl EventBus for InProcessBus {
    fn publish(&self, wake: Wake) {
        self.0.ring(wake);
    }

    fn subscribe(&self) -> broadcast::Receiver<Wake> {
        self.0.wake.subscribe()
    }

    fn connected(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        "in-process"
    }

    fn counters(&self) -> &Arc<BusCounters> {
        &self.0.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_survive_the_wire() {
        for w in [Wake::Events("S 1/é".into()), Wake::Everything, Wake::TokensRevoked] {
            assert_eq!(Wake::decode(&w.encode()), Some(w));
        }
        assert_eq!(Wake::decode("x"), None);
    }

    #[test]
    fn a_replica_ignores_its_own_wake_ups_and_rings_the_others() {
        let (a, b) = (Local::new(), Local::new());
        let mut heard = a.wake.subscribe();
        a.received(&a.message(&Wake::Events("S1".into())));
        assert!(heard.try_recv().is_err());
        a.received(&b.message(&Wake::Events("S1".into())));
        assert_eq!(heard.try_recv().ok(), Some(Wake::Events("S1".into())));
        a.received("garbage");
        assert!(heard.try_recv().is_err());
    }
}
