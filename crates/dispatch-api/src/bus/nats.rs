//! Wake-ups through NATS core subjects: `carecircle.{deployment}.events.{station}` and
//! `carecircle.{deployment}.tokens`. Core NATS keeps nothing: the events are in the database,
//! and a replica that reconnects reads every stream again.

use super::{BusCounters, BusError, EventBus, Local, NatsServer, Wake};
use async_nats::connection::State;
use async_nats::{Client, Event};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

#[derive(Debug)]
pub struct NatsBus {
    local: Arc<Local>,
    client: Client,
    prefix: String,
}

/// A station id as one subject token: letters, digits, `-` and `_` as they are, any other
/// byte as `~` and two hex digits (subjects split on `.`, and `*`, `>` and spaces are special).
fn subject_token(station: &str) -> String {
    let mut out = String::with_capacity(station.len());
    for b in station.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("~{b:02x}"));
        }
    }
    out
}

impl NatsBus {
    /// Connects to the NATS server at `url` and listens to the deployment's subjects. A
    /// server that does not answer within five seconds is not fatal (a replica restarting
    /// during a NATS outage must still serve): the client keeps trying, and streams read the
    /// database every second until it connects. A malformed URL is an error.
    pub async fn connect(server: &NatsServer, deployment: &str) -> Result<NatsBus, BusError> {
        let url = server.url.as_str();
        let local = Arc::new(Local::new());
        let watcher = local.clone();
        let error = |reason: String| BusError::Nats { url: url.to_string(), reason };
        let client = server
            .options("carecircle")
            .await
            .map_err(error)?
            .event_callback(move |event| {
                let local = watcher.clone();
                async move {
                    match event {
                        Event::Connected => local.set_connected(true),
                        Event::Disconnected | Event::Closed => local.set_connected(false),
                        _ => {}
                    }
                }
            })
            .connect(url)
            .await
            .map_err(|e| error(e.to_string()))?;
        let waited = tokio::time::timeout(Duration::from_secs(5), async {
            while client.connection_state() != State::Connected {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        if waited.await.is_err() {
            tracing::warn!(%url, "NATS does not answer: streams read the database every second until it does");
            local.set_connected(false);
        }
        let prefix = format!("carecircle.{deployment}");
        let mut wakes =
            client.subscribe(format!("{prefix}.>")).await.map_err(|e| error(e.to_string()))?;
        let heard = local.clone();
        tokio::spawn(async move {
            while let Some(message) = wakes.next().await {
                if let Ok(text) = std::str::from_utf8(&message.payload) {
                    heard.received(text);
                }
            }
        });
        Ok(NatsBus { local, client, prefix })
    }
}

impl EventBus for NatsBus {
    fn publish(&self, wake: Wake) {
        let subject = match &wake {
            Wake::Events(station) => format!("{}.events.{}", self.prefix, subject_token(station)),
            Wake::Everything => format!("{}.everything", self.prefix),
            Wake::TokensRevoked => format!("{}.tokens", self.prefix),
        };
        let payload = self.local.message(&wake);
        self.local.ring(wake);
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.publish(subject, payload.into()).await {
                tracing::debug!(error = %e, "wake-up not sent through NATS");
            }
        });
    }

    fn subscribe(&self) -> broadcast::Receiver<Wake> {
        self.local.wake.subscribe()
    }

    fn connected(&self) -> bool {
        self.client.connection_state() == State::Connected
    }

    fn kind(&self) -> &'static str {
        "nats"
    }

    fn counters(&self) -> &Arc<BusCounters> {
        &self.local.counters
    }
}

#[cfg(test)]
mod tests {
    use super::subject_token;

    #[test]
    fn station_ids_make_one_subject_token() {
        assert_eq!(subject_token("S1"), "S1");
        assert_eq!(subject_token("rong-cheng_2"), "rong-cheng_2");
        assert_eq!(subject_token("a.b *>"), "a~2eb~20~2a~3e");
        assert_eq!(subject_token("荣"), "~e8~8d~a3");
    }
}
