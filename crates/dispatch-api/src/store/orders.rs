//! Orders, the idempotency keys that answered them, and importing a scenario.

use super::master::{put_row, MasterKind, StationCanteen};
use super::order_writer::NewOrderRow;
use super::{decode, Page, Remembered, Store};
use crate::date::PlanDate;
use crate::error::AppError;
use crate::order::{order_of, Order, OrderStatus};
use formats::scenario::{ground_m, Scenario, Station};
use sqlx::Row;

/// Where an order came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    OneOff,
    Urgent,
    Package,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::OneOff => "one_off",
            OrderKind::Urgent => "urgent",
            OrderKind::Package => "package",
        }
    }
}

/// Filters of an order listing.
#[derive(Debug, Default)]
pub struct OrderQuery {
    /// `None`: every station.
    pub stations: Option<Vec<String>>,
    pub date: Option<PlanDate>,
    pub status: Option<OrderStatus>,
    pub cursor: Option<String>,
    pub limit: usize,
}

/// What became of an order insert.
#[derive(Debug, PartialEq, Eq)]
pub enum Inserted {
    Done,
    IdTaken,
    KeyTaken,
}

impl Store {
    /// Loads the scenario's stations, caregivers, clients, canteens and pools (replacing
    /// earlier versions of the same ids) and its visits as orders for `date`, once: a restart does not duplicate them.
    pub async fn import_scenario(
        &self,
        scenario: &Scenario,
        date: Option<&PlanDate>,
    ) -> Result<usize, AppError> {
        let mut tx = super::begin_write(&self.pool, self.backend).await?;
        for s in &scenario.stations {
            // The scenario's meal rules hold at each station that has none of its own.
            let station = Station { meal_rules: s.meal_rules.or(scenario.meal_rules), ..s.clone() };
            let body = serde_json::to_string(&station)?;
            put_row(&mut tx, MasterKind::Stations, &s.id, &s.id, &body, false).await?;
        }
        for c in &scenario.caregivers {
            let body = serde_json::to_string(c)?;
            put_row(&mut tx, MasterKind::Caregivers, &c.id, &c.station, &body, false).await?;
        }
        for c in &scenario.clients {
            let body = serde_json::to_string(c)?;
            put_row(&mut tx, MasterKind::Clients, &c.id, &c.station, &body, false).await?;
        }
        for p in &scenario.packages {
            let Some(client) = scenario.client(&p.client) else { continue };
            let body = serde_json::to_string(p)?;
            put_row(&mut tx, MasterKind::Packages, &p.id, &client.station, &body, false).await?;
        }
        // A scenario's canteens serve every station; here each is kept by the nearest.
        for c in &scenario.canteens {
            let nearest = scenario.stations.iter().min_by(|a, b| {
                let (da, db) = (ground_m(a.location, c.location), ground_m(b.location, c.location));
                da.total_cmp(&db)
            });
            let Some(station) = nearest else { continue };
            let row = StationCanteen { station: station.id.clone(), canteen: c.clone() };
            let body = serde_json::to_string(&row)?;
            put_row(&mut tx, MasterKind::Canteens, &c.id, &station.id, &body, false).await?;
        }
        // Its pools replace the active pools that hold any of its stations (a station is in
        // one pool).
        for p in &scenario.pools {
            let active: Vec<(String, String)> =
                sqlx::query_as("SELECT id, body FROM pools WHERE active = 1")
                    .fetch_all(&mut *tx)
                    .await?;
            for (id, body) in active {
                let other: formats::scenario::Pool = super::decode(&body)?;
                if id != p.id && other.stations.iter().any(|s| p.stations.contains(s)) {
                    sqlx::query("UPDATE pools SET active = 0 WHERE id = $1")
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let first = p.stations.first().map_or("", String::as_str);
            let body = serde_json::to_string(p)?;
            put_row(&mut tx, MasterKind::Pools, &p.id, first, &body, false).await?;
        }
        let mut imported = 0;
        if let Some(date) = date {
            for v in &scenario.visits {
                let Some(client) = scenario.client(&v.client) else { continue };
                let mut order = Order::from_scenario_visit(v, date.clone());
                let taken: Option<String> =
                    sqlx::query_scalar("SELECT date FROM orders WHERE id = $1")
                        .bind(&order.id)
                        .fetch_optional(&mut *tx)
                        .await?;
                match taken {
                    // Imported before for this day: a restart does not duplicate it.
                    Some(d) if d == date.as_str() => continue,
                    // The same scenario served on another day (the demo, each day).
                    Some(_) => order.id = format!("{}-{date}", order.id),
                    None => {}
                }
                let done = sqlx::query(
                    "INSERT INTO orders (id, client, station, date, status, kind, body) \
                     VALUES ($1, $2, $3, $4, 'open', 'one_off', $5) ON CONFLICT(id) DO NOTHING",
                )
                .bind(&order.id)
                .bind(&order.client)
                .bind(&client.station)
                .bind(order.date.as_str())
                .bind(serde_json::to_string(&order)?)
                .execute(&mut *tx)
                .await?;
                imported += done.rows_affected() as usize;
            }
        }
        tx.commit().await?;
        Ok(imported)
    }

    /// Stores a new order and, when given, the answer to its idempotency key, atomically:
    /// nothing is stored unless both are. Orders arriving together share a commit.
    pub async fn insert_order(
        &self,
        order: &Order,
        station: &str,
        kind: OrderKind,
        idempotency: Option<(&str, &Remembered)>,
    ) -> Result<Inserted, AppError> {
        self.order_writer
            .insert(NewOrderRow {
                order: order.clone(),
                station: station.to_string(),
                kind,
                idempotency: idempotency.map(|(k, a)| (k.to_string(), a.clone())),
            })
            .await
    }

    /// Replaces a stored order's body and status (a change or a cancellation).
    pub async fn update_order(&self, order: &Order) -> Result<(), AppError> {
        sqlx::query("UPDATE orders SET status = $1, date = $2, body = $3 WHERE id = $4")
            .bind(order.status.as_str())
            .bind(order.date.as_str())
            .bind(serde_json::to_string(order)?)
            .bind(&order.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// An order with its station and kind.
    /// An order, its station and kind, by its id or the id of one of its visits (a part of a
    /// two-caregiver order).
    pub async fn order_row(
        &self,
        id: &str,
    ) -> Result<Option<(Order, String, OrderKind)>, AppError> {
        let mut row = sqlx::query("SELECT body, station, kind FROM orders WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        if row.is_none() && order_of(id) != id {
            row = sqlx::query("SELECT body, station, kind FROM orders WHERE id = $1")
                .bind(order_of(id))
                .fetch_optional(&self.pool)
                .await?;
            // Only a two-caregiver order has parts.
            let shared = |r: &sqlx::any::AnyRow| {
                decode::<Order>(r.get::<&str, _>("body")).is_ok_and(|o| o.caregivers == 2)
            };
            row = row.filter(shared);
        }
        row.map(|r| {
            let kind = match r.get::<&str, _>("kind") {
                "urgent" => OrderKind::Urgent,
                "package" => OrderKind::Package,
                _ => OrderKind::OneOff,
            };
            Ok((decode(r.get::<&str, _>("body"))?, r.get::<String, _>("station"), kind))
        })
        .transpose()
    }

    pub async fn order(&self, id: &str) -> Result<Option<Order>, AppError> {
        Ok(self.order_row(id).await?.map(|(o, _, _)| o))
    }

    /// A page of orders in id order.
    pub async fn list_orders(&self, q: &OrderQuery) -> Result<Page, AppError> {
        let mut sql = "SELECT id, station, body FROM orders WHERE id > $1".to_string();
        let mut binds = vec![q.cursor.clone().unwrap_or_default()];
        if let Some(date) = &q.date {
            binds.push(date.to_string());
            sql.push_str(&format!(" AND date = ${}", binds.len()));
        }
        if let Some(status) = q.status {
            binds.push(status.as_str().to_string());
            sql.push_str(&format!(" AND status = ${}", binds.len()));
        }
        if let Some(stations) = &q.stations {
            if stations.is_empty() {
                return Ok(Page { items: Vec::new(), next: None });
            }
            let first = binds.len() + 1;
            binds.extend(stations.iter().cloned());
            let marks: Vec<String> = (first..=binds.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(" AND station IN ({})", marks.join(", ")));
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {}", q.limit + 1));
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let more = rows.len() > q.limit;
        let rows = &rows[..rows.len().min(q.limit)];
        let next = if more { rows.last().map(|r| r.get::<String, _>("id")) } else { None };
        // Each order with its station, which the stored body does not repeat.
        let items = rows
            .iter()
            .map(|r| {
                let mut order: serde_json::Value = decode(r.get::<&str, _>("body"))?;
                order["station"] = serde_json::json!(r.get::<Option<String>, _>("station"));
                Ok(order)
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Page { items, next })
    }

    /// Every order of a station's day, open or cancelled, in id order.
    pub async fn orders_of_day(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<Order>, AppError> {
        let rows =
            sqlx::query("SELECT body FROM orders WHERE station = $1 AND date = $2 ORDER BY id")
                .bind(station)
                .bind(date.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| decode(r.get::<&str, _>("body"))).collect()
    }

    /// Open orders of a station's day, in id order.
    pub async fn open_orders(
        &self,
        station: &str,
        date: &PlanDate,
    ) -> Result<Vec<Order>, AppError> {
        let rows = sqlx::query(
            "SELECT body FROM orders WHERE station = $1 AND date = $2 AND status = 'open' ORDER BY id",
        )
        .bind(station)
        .bind(date.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| decode(r.get::<&str, _>("body"))).collect()
    }

    /// The open orders of a plan unit's day: each member station's, in the unit's order.
    pub async fn unit_open_orders(
        &self,
        unit: &formats::scenario::PlanUnit,
        date: &PlanDate,
    ) -> Result<Vec<Order>, AppError> {
        let mut orders = Vec::new();
        for station in &unit.stations {
            orders.extend(self.open_orders(station, date).await?);
        }
        Ok(orders)
    }

    /// Every active station, caregiver and client, with the open orders of `date` as visits:
    /// the scenario the planner's questions are asked of.
    pub async fn scenario(&self, date: Option<&PlanDate>) -> Result<Scenario, AppError> {
        let orders = match date {
            Some(date) => {
                let rows = sqlx::query(
                    "SELECT body FROM orders WHERE date = $1 AND status = 'open' ORDER BY id",
                )
                .bind(date.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| decode::<Order>(r.get::<&str, _>("body")))
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => Vec::new(),
        };
        Ok(Scenario {
            name: "service".into(),
            date: date.map(|d| d.to_string()),
            stations: self.all_active(MasterKind::Stations).await?,
            caregivers: self.all_active(MasterKind::Caregivers).await?,
            clients: self.all_active(MasterKind::Clients).await?,
            visits: orders.iter().flat_map(Order::visits).collect(),
            links: orders.iter().filter_map(Order::link).collect(),
            ..Scenario::default()
        })
    }
}

/// `Ok(false)` when the key already has an answer.
/// One order and its key inside a transaction. The key goes first: a key another request
/// already holds means this one is a repeat and stores nothing; an order id already taken
/// gives the key back.
pub(super) async fn insert_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    order: &Order,
    station: &str,
    kind: OrderKind,
    idempotency: Option<(&str, &Remembered)>,
) -> Result<Inserted, AppError> {
    if let Some((key, answer)) = idempotency {
        let provisional = kind == OrderKind::Urgent;
        if !super::idempotency::remember_in(tx, key, answer, provisional).await? {
            return Ok(Inserted::KeyTaken);
        }
    }
    let done = sqlx::query(
        "INSERT INTO orders (id, client, station, date, status, kind, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(id) DO NOTHING",
    )
    .bind(&order.id)
    .bind(&order.client)
    .bind(station)
    .bind(order.date.as_str())
    .bind(order.status.as_str())
    .bind(kind.as_str())
    .bind(serde_json::to_string(order)?)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        if let Some((key, _)) = idempotency {
            sqlx::query("DELETE FROM idempotency_keys WHERE key = $1")
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        return Ok(Inserted::IdTaken);
    }
    Ok(Inserted::Done)
}
