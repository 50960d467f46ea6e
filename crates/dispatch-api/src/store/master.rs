//! Master data: stations, teams, caregivers, clients, care packages, canteens and pools. Each row keeps the
//! JSON it was given (so nothing is lost) and the columns the service filters on; rows are
//! deactivated, never deleted.

use super::{decode, Store};
use crate::error::AppError;
use formats::scenario::{Canteen, Caregiver, Client, Station};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

/// The kinds of master data, named as in the URL (`/v1/{kind}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MasterKind {
    Stations,
    Teams,
    Caregivers,
    Clients,
    Packages,
    Canteens,
    /// Stations planned as one (their days are one problem).
    Pools,
}

impl MasterKind {
    pub const ALL: [MasterKind; 7] = [
        MasterKind::Stations,
        MasterKind::Teams,
        MasterKind::Caregivers,
        MasterKind::Clients,
        MasterKind::Packages,
        MasterKind::Canteens,
        MasterKind::Pools,
    ];

    /// The table, which is also the URL segment. Our own constants, never input.
    pub fn table(self) -> &'static str {
        match self {
            MasterKind::Stations => "stations",
            MasterKind::Teams => "teams",
            MasterKind::Caregivers => "caregivers",
            MasterKind::Clients => "clients",
            MasterKind::Packages => "packages",
            MasterKind::Canteens => "canteens",
            MasterKind::Pools => "pools",
        }
    }

    pub fn parse(segment: &str) -> Option<MasterKind> {
        MasterKind::ALL.into_iter().find(|k| k.table() == segment)
    }

    /// The column naming the row's station (a station is its own).
    fn station_column(self) -> &'static str {
        match self {
            MasterKind::Stations => "id",
            _ => "station",
        }
    }
}

/// A canteen as the service keeps it: the scenario's canteen and the station whose
/// dispatchers keep it (clients of any station may choose it).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StationCanteen {
    pub station: String,
    #[serde(flatten)]
    pub canteen: Canteen,
}

/// One page of a listing; `next` is the cursor of the following page. `T` is what the items
/// are (the store reads them as JSON; the OpenAPI document names their type).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "PageOf{T}")]
pub struct Page<T = Value> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// A row as the API shows it: its body with `active` added.
fn shown(row: &AnyRow) -> Result<Value, AppError> {
    let mut body: Value = decode(row.get::<&str, _>("body"))?;
    if let Value::Object(map) = &mut body {
        map.insert("active".into(), Value::Bool(row.get::<i64, _>("active") != 0));
    }
    Ok(body)
}

impl Store {
    /// Stores a row. With `create_only`, `Ok(false)` when the id is taken; otherwise an
    /// existing row is replaced (and re-activated).
    pub async fn put_master(
        &self,
        kind: MasterKind,
        id: &str,
        station: &str,
        body: &Value,
        create_only: bool,
    ) -> Result<bool, AppError> {
        let mut tx = super::begin_write(&self.pool, self.backend).await?;
        let done = put_row(&mut tx, kind, id, station, &body.to_string(), create_only).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Stores many rows in one transaction: all or none.
    pub async fn put_master_batch(
        &self,
        kind: MasterKind,
        rows: &[(String, String, Value)],
    ) -> Result<(), AppError> {
        let mut tx = super::begin_write(&self.pool, self.backend).await?;
        for (id, station, body) in rows {
            put_row(&mut tx, kind, id, station, &body.to_string(), false).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A row as shown by the API, with its station.
    pub async fn master(
        &self,
        kind: MasterKind,
        id: &str,
    ) -> Result<Option<(Value, String)>, AppError> {
        let sql = format!(
            "SELECT body, active, {} AS station FROM {} WHERE id = $1",
            kind.station_column(),
            kind.table()
        );
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| Ok((shown(&r)?, r.get::<String, _>("station")))).transpose()
    }

    /// A page of rows in id order after `cursor`, of the given stations (all when `None`).
    pub async fn list_master(
        &self,
        kind: MasterKind,
        stations: Option<&[String]>,
        active: Option<bool>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, AppError> {
        let mut sql = format!("SELECT id, body, active FROM {} WHERE id > $1", kind.table());
        let mut binds: Vec<String> = vec![cursor.unwrap_or("").to_string()];
        if let Some(active) = active {
            sql.push_str(if active { " AND active = 1" } else { " AND active = 0" });
        }
        if let Some(stations) = stations {
            if stations.is_empty() {
                return Ok(Page { items: Vec::new(), next: None });
            }
            let marks = super::marks(binds.len() + 1, stations.len());
            sql.push_str(&format!(" AND {} IN ({marks})", kind.station_column()));
            binds.extend(stations.iter().cloned());
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {}", limit + 1));
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let more = rows.len() > limit;
        let rows = &rows[..rows.len().min(limit)];
        let next = if more { rows.last().map(|r| r.get::<String, _>("id")) } else { None };
        Ok(Page { items: rows.iter().map(shown).collect::<Result<_, _>>()?, next })
    }

    /// Marks a row inactive; `Ok(false)` when there is none.
    /// Up to `limit` rows of `table` (a master kind's or `orders`) after id `after`, in id
    /// order, as stored: id and body text.
    pub async fn stored_rows(
        &self,
        table: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, AppError> {
        let known = MasterKind::ALL.iter().any(|k| k.table() == table) || table == "orders";
        if !known {
            return Err(AppError::Internal(format!("no table {table:?} holds rows to check")));
        }
        let sql = format!("SELECT id, body FROM {table} WHERE id > $1 ORDER BY id LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get("id"), r.get("body"))).collect())
    }

    pub async fn deactivate(&self, kind: MasterKind, id: &str) -> Result<bool, AppError> {
        let sql = format!("UPDATE {} SET active = 0 WHERE id = $1", kind.table());
        let done = sqlx::query(&sql).bind(id).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn typed<T: DeserializeOwned>(
        &self,
        kind: MasterKind,
        id: &str,
    ) -> Result<Option<T>, AppError> {
        let sql = format!("SELECT body FROM {} WHERE id = $1", kind.table());
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| decode(r.get::<&str, _>("body"))).transpose()
    }

    async fn of_station<T: DeserializeOwned>(
        &self,
        kind: MasterKind,
        station: &str,
        only_active: bool,
    ) -> Result<Vec<T>, AppError> {
        let sql = format!(
            "SELECT body FROM {} WHERE {} = $1{} ORDER BY id",
            kind.table(),
            kind.station_column(),
            if only_active { " AND active = 1" } else { "" }
        );
        let rows = sqlx::query(&sql).bind(station).fetch_all(&self.pool).await?;
        rows.iter().map(|r| decode(r.get::<&str, _>("body"))).collect()
    }

    pub(crate) async fn all_active<T: DeserializeOwned>(
        &self,
        kind: MasterKind,
    ) -> Result<Vec<T>, AppError> {
        let sql = format!("SELECT body FROM {} WHERE active = 1 ORDER BY id", kind.table());
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| decode(r.get::<&str, _>("body"))).collect()
    }

    pub async fn station(&self, id: &str) -> Result<Option<Station>, AppError> {
        self.typed(MasterKind::Stations, id).await
    }

    pub async fn caregiver(&self, id: &str) -> Result<Option<Caregiver>, AppError> {
        self.typed(MasterKind::Caregivers, id).await
    }

    pub async fn client(&self, id: &str) -> Result<Option<Client>, AppError> {
        self.typed(MasterKind::Clients, id).await
    }

    /// A canteen, active or not.
    pub async fn canteen(&self, id: &str) -> Result<Option<Canteen>, AppError> {
        let row: Option<StationCanteen> = self.typed(MasterKind::Canteens, id).await?;
        Ok(row.map(|r| r.canteen))
    }

    /// The station's active caregivers.
    pub async fn caregivers_of(&self, station: &str) -> Result<Vec<Caregiver>, AppError> {
        self.of_station(MasterKind::Caregivers, station, true).await
    }

    /// The station's active clients.
    pub async fn clients_of(&self, station: &str) -> Result<Vec<Client>, AppError> {
        self.of_station(MasterKind::Clients, station, true).await
    }

    /// Every client of the station, deactivated ones too (an order made before still names
    /// them).
    pub async fn every_client_of(&self, station: &str) -> Result<Vec<Client>, AppError> {
        self.of_station(MasterKind::Clients, station, false).await
    }

    /// The active canteens a station's meals may come from: its own, and those its clients
    /// chose at other stations.
    pub async fn canteens_for(
        &self,
        station: &str,
        clients: &[Client],
    ) -> Result<Vec<Canteen>, AppError> {
        // One read of every active canteen (a county has tens), not one per chosen canteen.
        let all: Vec<StationCanteen> = self.all_active(MasterKind::Canteens).await?;
        let chosen = |id: &str| clients.iter().any(|c| c.canteen.as_deref() == Some(id));
        Ok(all
            .into_iter()
            .filter(|c| c.station == station || chosen(&c.canteen.id))
            .map(|c| c.canteen)
            .collect())
    }

    /// The station's active care packages.
    pub async fn packages_of(
        &self,
        station: &str,
    ) -> Result<Vec<formats::care_package::CarePackage>, AppError> {
        self.of_station(MasterKind::Packages, station, true).await
    }
}

pub(super) async fn put_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: MasterKind,
    id: &str,
    station: &str,
    body: &str,
    create_only: bool,
) -> Result<bool, AppError> {
    let sql = match (kind, create_only) {
        (MasterKind::Stations, true) => {
            "INSERT INTO stations (id, body) VALUES ($1, $2) ON CONFLICT(id) DO NOTHING".to_string()
        }
        (MasterKind::Stations, false) => "INSERT INTO stations (id, body) VALUES ($1, $2) \
             ON CONFLICT(id) DO UPDATE SET body = excluded.body, active = 1"
            .to_string(),
        (_, true) => format!(
            "INSERT INTO {} (id, station, body) VALUES ($1, $2, $3) ON CONFLICT(id) DO NOTHING",
            kind.table()
        ),
        (_, false) => format!(
            "INSERT INTO {} (id, station, body) VALUES ($1, $2, $3) ON CONFLICT(id) \
             DO UPDATE SET station = excluded.station, body = excluded.body, active = 1",
            kind.table()
        ),
    };
    let mut query = sqlx::query(&sql).bind(id);
    if kind != MasterKind::Stations {
        query = query.bind(station);
    }
    let done = query.bind(body).execute(&mut **tx).await?;
    Ok(done.rows_affected() > 0)
}
