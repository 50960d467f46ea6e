//! Group commit for new orders: one task takes the orders waiting at that moment and stores
//! them in one transaction, so many orders share one disk flush (SQLite's commit waits for
//! fsync). Each caller still gets its answer only after its order is committed.

use super::orders::{insert_in, Inserted, OrderKind};
use super::{Backend, Remembered};
use crate::error::AppError;
use crate::order::Order;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

/// The most orders in one transaction.
const MAX_BATCH: usize = 128;

pub struct NewOrderRow {
    pub order: Order,
    pub station: String,
    pub kind: OrderKind,
    pub idempotency: Option<(String, Remembered)>,
}

type Job = (NewOrderRow, oneshot::Sender<Result<Inserted, AppError>>);

/// The sending side; cheap to clone.
#[derive(Clone, Debug)]
pub struct OrderWriter(mpsc::Sender<Job>);

impl OrderWriter {
    pub fn spawn(pool: AnyPool, backend: Backend) -> OrderWriter {
        let (tx, rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
        tokio::spawn(run(pool, backend, rx));
        OrderWriter(tx)
    }

    /// Stores one order (in the next batch) and waits for its commit.
    pub async fn insert(&self, row: NewOrderRow) -> Result<Inserted, AppError> {
        let (reply, answer) = oneshot::channel();
        self.0
            .send((row, reply))
            .await
            .map_err(|_| AppError::Internal("the order writer has stopped".into()))?;
        answer.await.map_err(|_| AppError::Internal("the order writer has stopped".into()))?
    }
}

async fn run(pool: AnyPool, backend: Backend, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match store_batch(&pool, backend, &batch).await {
            Ok(outcomes) => {
                for ((_, reply), outcome) in batch.drain(..).zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            // One bad row must not fail the others: store each on its own.
            Err(_) => {
                for (row, reply) in batch.drain(..) {
                    let one = store_batch(
                        &pool,
                        backend,
                        std::slice::from_ref(&(row, oneshot::channel().0)),
                    )
                    .await;
                    let _ = reply.send(one.map(|mut v| v.pop().unwrap_or(Inserted::IdTaken)));
                }
            }
        }
    }
}

async fn store_batch(
    pool: &AnyPool,
    backend: Backend,
    batch: &[Job],
) -> Result<Vec<Inserted>, AppError> {
    let mut tx = super::begin_write(pool, backend).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for (row, _) in batch {
        let key = row.idempotency.as_ref().map(|(k, a)| (k.as_str(), a));
        outcomes.push(insert_in(&mut tx, &row.order, &row.station, row.kind, key).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}
