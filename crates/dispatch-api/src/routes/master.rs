//! Master data: `/v1/{stations|teams|caregivers|clients|packages|canteens|pools}`: list
//! (filters, cursor pagination), create, read, replace, deactivate (`DELETE`), and bulk import
//! from CSV or a JSON array (`POST /v1/{kind}/import`, all rows or none). Each body is
//! validated as the scenario file's section of the same name; a client must be on the road
//! network. Pools are the admin's, and every reader sees them all.

use super::{idempotent, Idempotency, Params};
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::csv_import;
use crate::error::{parse_json, AppError};
use crate::store::{MasterKind, StationCanteen};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use formats::care_package::CarePackage;
use formats::scenario::{Caregiver, Client, GeoPoint, Pool, Scenario, ScenarioError, Station};
use planner::travel::{road_mode, to_wgs84};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A team of caregivers at one station.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub id: String,
    pub station: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub caregivers: Vec<String>,
}

/// A row of master data as written: a station, team, caregiver, client, care package,
/// canteen or pool, as the URL's `{kind}` says.
pub struct MasterBody;

fn kinds(generator: &mut schemars::SchemaGenerator) -> Vec<schemars::Schema> {
    vec![
        generator.subschema_for::<Station>(),
        generator.subschema_for::<Team>(),
        generator.subschema_for::<Caregiver>(),
        generator.subschema_for::<Client>(),
        generator.subschema_for::<CarePackage>(),
        generator.subschema_for::<StationCanteen>(),
        generator.subschema_for::<Pool>(),
    ]
}

impl JsonSchema for MasterBody {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MasterBody".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "anyOf": kinds(generator) })
    }
}

/// A row of master data as read: the row and whether it is active (a planner reads clients
/// without their phone and contacts).
pub struct MasterRow;

impl JsonSchema for MasterRow {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MasterRow".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "allOf": [
                { "anyOf": kinds(generator) },
                { "type": "object", "properties": { "active": { "type": "boolean" } },
                  "required": ["active"] },
            ]
        })
    }
}

/// The answer to an import.
#[derive(Serialize, JsonSchema)]
pub struct Imported {
    /// Rows stored (all of them: an import stores every row or none).
    pub imported: usize,
}

/// The largest import, in rows.
const MAX_IMPORT: usize = 20_000;

fn kind_of(segment: &str) -> Result<MasterKind, AppError> {
    MasterKind::parse(segment)
        .ok_or_else(|| AppError::NotFound(format!("no such endpoint /v1/{segment}")))
}

/// A scenario error as the API names it: `clients[0].location.lat` becomes `location.lat`.
fn field_error(e: ScenarioError) -> AppError {
    match e {
        ScenarioError::Invalid { field, reason } => {
            let field = match field.split_once("].") {
                Some((_, rest)) => rest.to_string(),
                None => field,
            };
            AppError::invalid(field, reason)
        }
        other => AppError::invalid("body", other.to_string()),
    }
}

fn empty_scenario(stations: Vec<Station>) -> Scenario {
    Scenario { name: "api".into(), stations, ..Scenario::default() }
}

async fn station_of(state: &AppState, id: &str) -> Result<Station, AppError> {
    state.store.station(id).await?.ok_or_else(|| unknown_station(id))
}

fn unknown_station(id: &str) -> AppError {
    AppError::invalid("station", format!("unknown station {id:?}"))
}

/// Validates one body of `kind`; returns it in canonical form with its station.
async fn validate(
    state: &AppState,
    kind: MasterKind,
    body: &Value,
) -> Result<(String, String, Value), AppError> {
    // Ids, names, addresses and service words of every kind, before the kind's own rules.
    crate::limits::row(body)?;
    let text = body.to_string();
    match kind {
        MasterKind::Stations => {
            let s: Station = parse_json(text.as_bytes())?;
            empty_scenario(vec![s.clone()]).validate().map_err(field_error)?;
            // A plan unit is named by a station's id or a pool's: they must not meet.
            if state.store.master(MasterKind::Pools, &s.id).await?.is_some() {
                return Err(AppError::invalid("id", format!("{:?} is a pool's id", s.id)));
            }
            Ok((s.id.clone(), s.id.clone(), serde_json::to_value(&s)?))
        }
        MasterKind::Pools => {
            let p: Pool = parse_json(text.as_bytes())?;
            if state.store.station(&p.id).await?.is_some() {
                return Err(AppError::invalid("id", format!("{:?} is a station's id", p.id)));
            }
            let mut stations: Vec<Station> = Vec::new();
            for (i, id) in p.stations.iter().enumerate() {
                let station = state.store.station(id).await?.ok_or_else(|| {
                    AppError::invalid(format!("stations[{i}]"), format!("unknown station {id:?}"))
                })?;
                if !stations.iter().any(|s| s.id == station.id) {
                    stations.push(station);
                }
            }
            // A station is in one pool: the other active pools may not hold it.
            for other in state.store.active_pools().await?.iter().filter(|o| o.id != p.id) {
                if let Some((i, s)) =
                    p.stations.iter().enumerate().find(|(_, s)| other.stations.contains(s))
                {
                    return Err(AppError::invalid(
                        format!("stations[{i}]"),
                        format!(
                            "station {s:?} is already in pool {:?}; a station is in one pool",
                            other.id
                        ),
                    ));
                }
            }
            let mut scenario = empty_scenario(stations);
            scenario.pools.push(p.clone());
            scenario.validate().map_err(field_error)?;
            let first = p.stations.first().cloned().unwrap_or_default();
            Ok((p.id.clone(), first, serde_json::to_value(&p)?))
        }
        MasterKind::Teams => {
            let t: Team = parse_json(text.as_bytes())?;
            station_of(state, &t.station).await?;
            for (i, c) in t.caregivers.iter().enumerate() {
                match state.store.caregiver(c).await? {
                    Some(cg) if cg.station == t.station => {}
                    Some(_) => {
                        return Err(AppError::invalid(
                            format!("caregivers[{i}]"),
                            format!("{c:?} works at another station"),
                        ))
                    }
                    None => {
                        return Err(AppError::invalid(
                            format!("caregivers[{i}]"),
                            format!("unknown caregiver {c:?}"),
                        ))
                    }
                }
            }
            Ok((t.id.clone(), t.station.clone(), serde_json::to_value(&t)?))
        }
        MasterKind::Caregivers => {
            let c: Caregiver = parse_json(text.as_bytes())?;
            let station = station_of(state, &c.station).await?;
            let mut scenario = empty_scenario(vec![station.clone()]);
            scenario.caregivers.push(c.clone());
            scenario.validate().map_err(field_error)?;
            // A caregiver starting or ending at home rides from there.
            for (field, place) in [("start", &c.start), ("end", &c.end)] {
                if let Some(at) = place.point() {
                    on_roads(state, &station, &at, field).await?;
                }
            }
            Ok((c.id.clone(), c.station.clone(), serde_json::to_value(&c)?))
        }
        MasterKind::Clients => {
            let c: Client = parse_json(text.as_bytes())?;
            let station = station_of(state, &c.station).await?;
            let mut scenario = empty_scenario(vec![station.clone()]);
            scenario.clients.push(c.clone());
            // The canteen the client chose, at any station.
            if let Some(id) = &c.canteen {
                let chosen = state.store.canteen(id).await?.ok_or_else(|| {
                    AppError::invalid("canteen", format!("unknown canteen {id:?}"))
                })?;
                scenario.canteens.push(chosen);
            }
            scenario.validate().map_err(field_error)?;
            // Every client is routed to: refuse a home no road of the station's mode reaches.
            on_roads(state, &station, &c.location, "location").await?;
            Ok((c.id.clone(), c.station.clone(), serde_json::to_value(&c)?))
        }
        MasterKind::Canteens => {
            let c: StationCanteen = parse_json(text.as_bytes())?;
            let station = station_of(state, &c.station).await?;
            let mut scenario = empty_scenario(vec![station.clone()]);
            scenario.canteens.push(c.canteen.clone());
            scenario.validate().map_err(field_error)?;
            // Caregivers ride to it to pick meals up.
            on_roads(state, &station, &c.canteen.location, "location").await?;
            Ok((c.canteen.id.clone(), c.station.clone(), serde_json::to_value(&c)?))
        }
        MasterKind::Packages => {
            let p: CarePackage = parse_json(text.as_bytes())?;
            let client = state.store.client(&p.client).await?.ok_or_else(|| {
                AppError::invalid("client", format!("unknown client {:?}", p.client))
            })?;
            let mut scenario = empty_scenario(vec![station_of(state, &client.station).await?]);
            scenario.clients.push(client.clone());
            scenario.packages.push(p.clone());
            scenario.validate().map_err(field_error)?;
            Ok((p.id.clone(), client.station.clone(), serde_json::to_value(&p)?))
        }
    }
}

/// Refuses a place no road of the station's mode reaches: caregivers go there. A station on
/// its own matrix takes any place (one its matrix does not cover has visits unassigned with
/// reason `no_travel_time`), as does a service without roads.
async fn on_roads(
    state: &AppState,
    station: &Station,
    at: &GeoPoint,
    field: &str,
) -> Result<(), AppError> {
    let Some(network) = &state.network else { return Ok(()) };
    if state.store.newest_matrix(&station.id).await?.is_some() {
        return Ok(());
    }
    let graph = network
        .graph(road_mode(station.circle.mode))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match graph.snap(to_wgs84(at), roads::DEFAULT_SNAP_LIMIT_M) {
        Ok(_) => Ok(()),
        Err(e) => Err(AppError::invalid(field, format!("not on the road network: {e}"))),
    }
}

/// Who may write a row of `kind` at `station`: stations are the admin's; the rest their
/// station's dispatchers' too. A station the caller may not see is answered as unknown.
fn may_write(caller: &Caller, kind: MasterKind, station: &str) -> Result<(), AppError> {
    match kind {
        MasterKind::Stations | MasterKind::Pools => caller.require(&[Role::Admin]),
        _ => caller.write_station(station, || unknown_station(station)),
    }
}

/// A write to `/v1/{kind}{rest}`: only admins and dispatchers write master data; the kind
/// must exist; the `Idempotency-Key`, if any, is read.
fn write_request(
    caller: &Caller,
    segment: &str,
    headers: &HeaderMap,
    method: &str,
    rest: &str,
    body: &[u8],
) -> Result<(MasterKind, Option<Idempotency>), AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let kind = kind_of(segment)?;
    let what = format!("{method} /v1/{}{rest}", kind.table());
    Ok((kind, Idempotency::from_request(caller, headers, &what, body)?))
}

fn readers(caller: &Caller) -> Result<(), AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher, Role::Planner])
}

/// A row as `caller` may read it: planners simulate coverage from where clients live and
/// never call them, so a client's phone and contacts are left out for them.
fn as_read_by(caller: &Caller, kind: MasterKind, mut row: Value) -> Value {
    if kind == MasterKind::Clients && caller.role == Role::Planner {
        if let Value::Object(fields) = &mut row {
            fields.remove("phone");
            fields.remove("contacts");
        }
    }
    row
}

/// `?station=&active=true|false&cursor=&limit=`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    readers(&caller)?;
    let kind = kind_of(&kind)?;
    let active = match params.get("active") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(AppError::invalid("active", format!("{other:?} is not true or false")))
        }
    };
    // Every reader sees every pool: which stations plan together is no station's secret.
    let stations = match kind {
        MasterKind::Pools => None,
        _ => caller.station_filter(params.get("station")),
    };
    let mut page = state
        .store
        .list_master(kind, stations.as_deref(), active, params.cursor().as_deref(), params.limit()?)
        .await?;
    page.items = page.items.into_iter().map(|row| as_read_by(&caller, kind, row)).collect();
    Ok(Json(page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    readers(&caller)?;
    let kind = kind_of(&kind)?;
    let (body, station) =
        state.store.master(kind, &id).await?.ok_or_else(|| AppError::no(kind.table(), &id))?;
    if kind != MasterKind::Pools {
        caller.read_station(&station, || AppError::no(kind.table(), &id))?;
    }
    Ok(Json(as_read_by(&caller, kind, body)).into_response())
}

/// Creates a row; `409` when the id is taken.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (kind, key) = write_request(&caller, &kind, &headers, "POST", "", &body)?;
    idempotent(&state, key, async {
        let value: Value = parse_json(&body)?;
        let (id, station, value) = validate(&state, kind, &value).await?;
        may_write(&caller, kind, &station)?;
        if !state.store.put_master(kind, &id, &station, &value, true).await? {
            return Err(AppError::Conflict(format!("{} {id:?} already exists", kind.table())));
        }
        let location = Some(format!("/v1/{}/{id}", kind.table()));
        Ok((StatusCode::CREATED, location, shown(value, true)))
    })
    .await
}

fn shown(mut value: Value, active: bool) -> String {
    value["active"] = json!(active);
    value.to_string()
}

/// Replaces a row (creating it if missing); the body's `id` must be the URL's.
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (kind, key) = write_request(&caller, &kind, &headers, "PUT", &format!("/{id}"), &body)?;
    idempotent(&state, key, async {
        let mut value: Value = parse_json(&body)?;
        if !value.is_object() {
            return Err(AppError::invalid("body", "must be a JSON object"));
        }
        match value.get("id") {
            None => value["id"] = json!(id),
            Some(v) if v == &json!(id) => {}
            Some(_) => return Err(AppError::invalid("id", "must be the id in the URL")),
        }
        if let Value::Object(m) = &mut value {
            m.remove("active");
        }
        let (id, station, value) = validate(&state, kind, &value).await?;
        may_write(&caller, kind, &station)?;
        if let Some((_, old_station)) = state.store.master(kind, &id).await? {
            // Moving a row out of a station needs a right to that station too; a row the
            // caller may not see is not found (ids are global, so it cannot be created).
            if kind != MasterKind::Stations {
                caller.write_station(&old_station, || AppError::no(kind.table(), &id))?;
            }
        }
        state.store.put_master(kind, &id, &station, &value, false).await?;
        Ok((StatusCode::OK, None, shown(value, true)))
    })
    .await
}

/// Deactivates a row: it stays for the orders and plans that name it.
pub async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (kind, key) = write_request(&caller, &kind, &headers, "DELETE", &format!("/{id}"), b"")?;
    idempotent(&state, key, async {
        let (value, station) =
            state.store.master(kind, &id).await?.ok_or_else(|| AppError::no(kind.table(), &id))?;
        match kind {
            MasterKind::Stations | MasterKind::Pools => caller.require(&[Role::Admin])?,
            _ => caller.write_station(&station, || AppError::no(kind.table(), &id))?,
        }
        state.store.deactivate(kind, &id).await?;
        Ok((StatusCode::OK, None, shown(value, false)))
    })
    .await
}

/// Imports rows from `text/csv` or a JSON array; all are validated before any is stored.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (kind, key) = write_request(&caller, &kind, &headers, "POST", "/import", &body)?;
    idempotent(&state, key, async {
        let is_csv = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/csv"));
        let rows: Vec<Value> = if is_csv { csv_import::rows(&body)? } else { parse_json(&body)? };
        if rows.len() > MAX_IMPORT {
            return Err(AppError::invalid("body", format!("at most {MAX_IMPORT} rows at once")));
        }
        let mut valid = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let in_row = |e| match e {
                AppError::Validation { field, reason } => {
                    AppError::invalid(format!("rows[{i}].{field}"), reason)
                }
                other => other,
            };
            let (id, station, value) = validate(&state, kind, row).await.map_err(in_row)?;
            may_write(&caller, kind, &station).map_err(in_row)?;
            valid.push((id, station, value));
        }
        state.store.put_master_batch(kind, &valid).await?;
        let body = Imported { imported: valid.len() };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}
