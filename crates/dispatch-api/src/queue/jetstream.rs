//! Jobs on NATS JetStream (`--nats URL`): a work-queue stream `CARECIRCLE_JOBS_{deployment}`
//! on subject `carecircle-jobs.{deployment}` (outside the event bus's `carecircle.>`), file
//! storage, one durable pull consumer `workers` shared by every worker. A message taken and
//! not acknowledged within [`ACK_WAIT`] (the worker renews it while it works) is delivered
//! again, at most [`MAX_DELIVER`] times; a worker hands a job back with a NAK.
//!
//! The stream and consumer are made on first use, so a process started while NATS is away
//! still starts: its pushes fail (and are pushed again later by whoever sees the plan
//! unpushed) until NATS answers.

use super::{Job, QueueError, Receipt, SolveQueue, Taken, ACK_WAIT, MAX_DELIVER};
use async_nats::jetstream::consumer::{pull, Consumer};
use async_nats::jetstream::message::AckKind;
use async_nats::jetstream::stream::{RetentionPolicy, StorageType};
use async_nats::jetstream::{self, Context};
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};
use std::time::Duration;
use tokio::sync::OnceCell;

pub struct JetStreamQueue {
    url: String,
    context: Context,
    stream: String,
    subject: String,
    consumer: OnceCell<Consumer<pull::Config>>,
}

impl JetStreamQueue {
    /// A queue on the NATS server at `url` for `deployment`; connects in the background (see
    /// the module's notes).
    pub async fn connect(
        server: &crate::bus::NatsServer,
        deployment: &str,
    ) -> Result<JetStreamQueue, QueueError> {
        let url = server.url.as_str();
        let error = |reason: String| QueueError::JetStream { url: url.to_string(), reason };
        let client =
            server.options("carecircle-jobs").await.map_err(error)?.connect(url).await.map_err(
                |e| QueueError::JetStream { url: url.to_string(), reason: e.to_string() },
            )?;
        let token: String = deployment
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        Ok(JetStreamQueue {
            url: url.to_string(),
            context: jetstream::new(client),
            stream: format!("CARECIRCLE_JOBS_{token}"),
            subject: format!("carecircle-jobs.{token}"),
            consumer: OnceCell::new(),
        })
    }

    fn error(&self, e: impl std::fmt::Display) -> QueueError {
        QueueError::JetStream { url: self.url.clone(), reason: e.to_string() }
    }

    /// The stream and the workers' consumer, made once (both are idempotent on the server:
    /// every process asks for the same configuration).
    async fn consumer(&self) -> Result<&Consumer<pull::Config>, QueueError> {
        self.consumer
            .get_or_try_init(|| async {
                let stream = self
                    .context
                    .get_or_create_stream(jetstream::stream::Config {
                        name: self.stream.clone(),
                        subjects: vec![self.subject.clone()],
                        retention: RetentionPolicy::WorkQueue,
                        storage: StorageType::File,
                        // A job nobody took in a week is for a day long past.
                        max_age: Duration::from_secs(7 * 86_400),
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| self.error(e))?;
                stream
                    .get_or_create_consumer(
                        "workers",
                        pull::Config {
                            durable_name: Some("workers".to_string()),
                            ack_wait: ACK_WAIT,
                            max_deliver: MAX_DELIVER,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| self.error(e))
            })
            .await
    }
}

struct JetStreamReceipt {
    message: jetstream::Message,
}

fn nats(e: impl std::fmt::Display) -> QueueError {
    QueueError::Nats(e.to_string())
}

impl Receipt for JetStreamReceipt {
    fn progress(&self) -> BoxFuture<'_, Result<(), QueueError>> {
        async move { self.message.ack_with(AckKind::Progress).await.map_err(nats) }.boxed()
    }

    fn done(self: Box<Self>) -> BoxFuture<'static, Result<(), QueueError>> {
        // Acknowledged and confirmed by the server, so the job is not delivered again.
        async move { self.message.double_ack().await.map_err(nats) }.boxed()
    }

    fn hand_back(self: Box<Self>, delay: Duration) -> BoxFuture<'static, Result<(), QueueError>> {
        async move { self.message.ack_with(AckKind::Nak(Some(delay))).await.map_err(nats) }.boxed()
    }
}

impl SolveQueue for JetStreamQueue {
    fn push(&self, job: &Job) -> BoxFuture<'_, Result<(), QueueError>> {
        let payload = job.encode();
        async move {
            self.consumer().await?;
            let ack = self
                .context
                .publish(self.subject.clone(), payload.into())
                .await
                .map_err(|e| self.error(e))?;
            // Held by the stream (on disk) once the server acknowledges it.
            ack.await.map_err(|e| self.error(e))?;
            Ok(())
        }
        .boxed()
    }

    fn take(&self, wait: Duration) -> BoxFuture<'_, Result<Option<Taken>, QueueError>> {
        async move {
            let consumer = self.consumer().await?;
            let mut batch = consumer
                .batch()
                .max_messages(1)
                .expires(wait.max(Duration::from_millis(100)))
                .messages()
                .await
                .map_err(|e| self.error(e))?;
            let Some(message) = batch.next().await else { return Ok(None) };
            let message = message.map_err(|e| self.error(e))?;
            let deliveries = message.info().map_or(1, |i| i.delivered);
            let job = Job::decode(&message.payload);
            Ok(Some(Taken { job, deliveries, receipt: Box::new(JetStreamReceipt { message }) }))
        }
        .boxed()
    }

    fn depth(&self) -> BoxFuture<'_, Result<u64, QueueError>> {
        async move {
            self.consumer().await?;
            let mut stream =
                self.context.get_stream(&self.stream).await.map_err(|e| self.error(e))?;
            let info = stream.info().await.map_err(|e| self.error(e))?;
            Ok(info.state.messages)
        }
        .boxed()
    }

    fn kind(&self) -> &'static str {
        "jetstream"
    }
}
