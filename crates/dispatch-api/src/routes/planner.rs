//! The planner's questions over HTTP, on the stations, caregivers and clients the service
//! holds: `POST /v1/planner/coverage`, `/v1/planner/site`, `/v1/planner/simulate`. Each runs
//! on a blocking thread (they search the road network and plan many days).

use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::contract::geo::{Feature, FeatureCollection};
use crate::date::PlanDate;
use crate::error::{parse_json, AppError};
use axum::extract::State;
use axum::Json;
use formats::scenario::TravelMode;
use planner::simulate::{self, demand};
use planner::siting::milp::SitingError;
use planner::siting::SiteReport;
use planner::siting::{Candidates, Objective, SiteRequest};
use planner::{coverage, PlannerError};
use roads::LonLat;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use solver::Seconds;

impl From<PlannerError> for AppError {
    fn from(e: PlannerError) -> AppError {
        match e {
            PlannerError::Invalid { field, reason } => AppError::invalid(field, reason),
            PlannerError::Siting(SitingError::TooManySites { k, candidates }) => AppError::invalid(
                "k",
                format!("{k} sites asked for, but there are {candidates} candidates"),
            ),
            PlannerError::Scenario(e) => AppError::invalid("scenario", e.to_string()),
            PlannerError::Travel(e) => AppError::invalid("scenario", e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Runs CPU-heavy planner work off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PlannerError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("planner stopped: {e}")))?
        .map_err(AppError::from)
}

fn check_minutes(minutes: Option<u32>) -> Result<(), AppError> {
    match minutes {
        Some(m) if m == 0 || m > 180 => {
            Err(AppError::invalid("minutes", "must be between 1 and 180"))
        }
        _ => Ok(()),
    }
}

/// The body of `POST /v1/planner/coverage`: every station's circle, or all of one mode and
/// size.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuestion {
    #[serde(default)]
    mode: Option<TravelMode>,
    #[serde(default)]
    minutes: Option<u32>,
}

/// Each station's circle, who is inside, who is outside (and how far), overlaps; the
/// circles also as GeoJSON.
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Json<Coverage>, AppError> {
    caller.require(&[Role::Admin, Role::Planner])?;
    let q: CoverageQuestion = parse_json(&body)?;
    check_minutes(q.minutes)?;
    let scenario = state.store.scenario(None).await?;
    let network = roads_of(&state)?;
    let report =
        blocking(move || coverage::circles(&scenario, &network, q.mode, q.minutes, 1, &mut |_| {}))
            .await?;
    let features = report
        .circles
        .iter()
        .map(|c| {
            let ring: Vec<[f64; 2]> = c.polygon.iter().map(|p| [p.lon, p.lat]).collect();
            let properties = json!({"station": c.station, "mode": c.mode, "minutes": c.minutes});
            Feature::new("Polygon", json!([ring]), properties)
        })
        .collect();
    let circles = FeatureCollection::new(features, Some("© OpenStreetMap contributors (ODbL)"));
    Ok(Json(Coverage { report, circles }))
}

/// Who each station's circle reaches, and the circles as GeoJSON polygons.
#[derive(Serialize, JsonSchema)]
pub struct Coverage {
    pub report: coverage::CoverageReport,
    pub circles: FeatureCollection,
}

/// A candidate site, WGS84 degrees.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    id: String,
    lon: f64,
    lat: f64,
}

fn default_k() -> usize {
    3
}
fn default_auto() -> usize {
    300
}
fn default_minutes() -> u32 {
    15
}
fn default_objective() -> Objective {
    Objective::MaxCover
}
fn default_nearest() -> usize {
    10
}
fn default_mode() -> TravelMode {
    TravelMode::Ebike
}

/// The body of `POST /v1/planner/site`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteQuestion {
    #[serde(default = "default_k")]
    k: usize,
    #[serde(default = "default_objective")]
    objective: Objective,
    /// p-median: candidates kept per client in the program.
    #[serde(default = "default_nearest")]
    nearest: usize,
    #[serde(default = "default_mode")]
    mode: TravelMode,
    #[serde(default = "default_minutes")]
    minutes: u32,
    /// Named candidate sites (WGS84); absent: spread over the road network.
    #[serde(default)]
    candidates: Option<Vec<Site>>,
    #[serde(default = "default_auto")]
    auto_candidates: usize,
}

/// Where stations should go: maximal covering or set cover, proven optimal, beside greedy.
pub async fn site(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Json<SiteReport>, AppError> {
    caller.require(&[Role::Admin, Role::Planner])?;
    let q: SiteQuestion = parse_json(&body)?;
    check_minutes(Some(q.minutes))?;
    let candidates = match q.candidates {
        None => Candidates::Auto { count: q.auto_candidates.clamp(1, 5000) },
        Some(sites) => {
            let mut given = Vec::with_capacity(sites.len());
            for (i, s) in sites.into_iter().enumerate() {
                let p = LonLat { lon: s.lon, lat: s.lat };
                if !p.is_valid() {
                    return Err(AppError::invalid(
                        format!("candidates[{i}]"),
                        "not a longitude/latitude",
                    ));
                }
                given.push((s.id, p));
            }
            if given.is_empty() {
                return Err(AppError::invalid("candidates", "needs at least one site"));
            }
            Candidates::Given(given)
        }
    };
    let request = SiteRequest {
        candidates,
        k: q.k,
        objective: q.objective,
        mode: q.mode,
        minutes: q.minutes,
        nearest: q.nearest.clamp(1, 100),
    };
    let scenario = state.store.scenario(None).await?;
    let network = roads_of(&state)?;
    let outcome = blocking(move || planner::siting::site(&scenario, &network, &request)).await?;
    Ok(Json(outcome.report))
}

fn default_weeks() -> usize {
    1
}
fn default_rate() -> f64 {
    0.02
}
fn default_reach() -> u32 {
    60
}
fn default_target() -> f64 {
    0.95
}
fn default_iterations() -> u64 {
    1500
}

/// The body of `POST /v1/planner/simulate`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateQuestion {
    /// The day whose open orders stand for the recurring care packages.
    date: PlanDate,
    levels: Vec<usize>,
    #[serde(default = "default_weeks")]
    weeks: usize,
    #[serde(default)]
    seed: u64,
    #[serde(default = "default_rate")]
    urgent_rate: f64,
    #[serde(default = "default_reach")]
    urgent_minutes: u32,
    #[serde(default = "default_target")]
    urgent_target: f64,
    #[serde(default = "default_iterations")]
    iterations: u64,
}

/// Staffing: every station-day of the simulated weeks planned at each level.
pub async fn simulate(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Json<Staffing>, AppError> {
    caller.require(&[Role::Admin, Role::Planner])?;
    let q: SimulateQuestion = parse_json(&body)?;
    if q.weeks == 0 || q.weeks > 12 {
        return Err(AppError::invalid("weeks", "must be between 1 and 12"));
    }
    if q.levels.is_empty() || q.levels.len() > 12 || q.levels.iter().any(|&l| l == 0 || l > 200) {
        return Err(AppError::invalid("levels", "1 to 12 staffing levels, each between 1 and 200"));
    }
    if !(0.0..=1.0).contains(&q.urgent_rate) {
        return Err(AppError::invalid("urgent_rate", "must be a share between 0 and 1"));
    }
    if !(0.0..=1.0).contains(&q.urgent_target) {
        return Err(AppError::invalid("urgent_target", "must be a share between 0 and 1"));
    }
    if q.urgent_minutes == 0 || q.urgent_minutes > 1440 {
        return Err(AppError::invalid("urgent_minutes", "must be between 1 and 1440"));
    }
    if q.iterations == 0 || q.iterations > 100_000 {
        return Err(AppError::invalid("iterations", "must be between 1 and 100000"));
    }
    let scenario = state.store.scenario(Some(&q.date)).await?;
    let source = planner::travel::TravelSource::Roads(roads_of(&state)?);
    let model = demand::DemandModel {
        urgent_rate: q.urgent_rate,
        urgent_reach: Seconds(i64::from(q.urgent_minutes) * 60),
        urgent_duration: Seconds(30 * 60),
    };
    let (levels, seed, weeks, iterations, target) =
        (q.levels, q.seed, q.weeks, q.iterations, q.urgent_target);
    let results = blocking(move || {
        let days = demand::days(&scenario, &model, 7 * weeks, seed);
        // One thread: a request leaves the other cores to the service's other work.
        simulate::run(&scenario, &source, &days, &levels, iterations, 1, &|_| {})
    })
    .await?;
    let needed = simulate::needed(&results, target)
        .into_iter()
        .map(|(station, caregivers)| Needed { station, caregivers })
        .collect();
    Ok(Json(Staffing { levels: results, needed }))
}

/// Each station at each staffing level over the simulated weeks, and the level each needs.
#[derive(Serialize, JsonSchema)]
pub struct Staffing {
    pub levels: Vec<simulate::LevelResult>,
    pub needed: Vec<Needed>,
}

/// The fewest caregivers that serve every package visit and reach the urgent calls' target
/// share (none: no level tried does).
#[derive(Serialize, JsonSchema)]
pub struct Needed {
    pub station: String,
    pub caregivers: Option<usize>,
}

/// The road network the planner's questions are asked on: circles, sites and simulated days
/// are on the roads.
fn roads_of(state: &AppState) -> Result<std::sync::Arc<roads::RoadNetwork>, AppError> {
    state.network.clone().ok_or_else(|| {
        AppError::Conflict(
            "the planner's circles, sites and simulations need the road network, and the service \
             runs without one (start it with --pbf FILE)"
                .into(),
        )
    })
}
