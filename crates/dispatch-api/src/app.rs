//! The router (built from one table, which also writes the OpenAPI document), its shared
//! state, the layers every request goes through, and starting and stopping the service.

use crate::alerts::{self, AlertSettings};
use crate::auth::TokenCache;
use crate::bus::Wake;
use crate::clock::Clock;
use crate::config::{ServeConfig, ServeError};
use crate::contract::geo::FeatureCollection;
use crate::contract::{body, events, geojson, json, json_or, q, rows, Answer, Body, Query};
use crate::date::PlanDate;
use crate::error::AppError;
use crate::grades;
use crate::grades::GradeConfig;
use crate::ledger::Ledger;
use crate::live::Improving;
use crate::metrics::{self, Metrics};
use crate::order::{NewOrder, Order, OrderPatch};
use crate::problem_language::{self, Language};
use crate::route_view::RouteJson;
use crate::routes::{
    caregivers, master, matrix, me, me_events, ops, orders, planner, plans, ratings, reports,
    stations, tokens,
};
use crate::station_day::TravelCache;
use crate::station_map::MapCache;
use crate::store::Store;
use crate::store::{Page, StoredAlert};
use ::planner::siting::SiteReport;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use roads::RoadNetwork;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The road network; `None` when the service runs on stations' own matrices only.
    pub network: Option<Arc<RoadNetwork>>,
    /// Stations' uploaded matrices, parsed.
    pub matrices: Arc<crate::travel::MatrixCache>,
    /// The longest a plan may search; requests may ask for less.
    pub solve_time_limit: Duration,
    pub solve_cores: crate::solve_worker::SolveCores,
    /// Where plans and improvements go to be solved.
    pub queue: Arc<dyn crate::queue::SolveQueue>,
    /// This process's name on the leases of the plans it solves.
    pub instance: String,
    /// The jobs this process worked on, for `/metrics`.
    pub jobs: Arc<crate::queue::JobCounters>,
    /// The jobs loop of this process, when it solves ([`ServeConfig::solve_here`]).
    workers: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    pub tokens: Arc<TokenCache>,
    pub clock: Clock,
    /// The stations' offset from UTC, for calendar feeds.
    pub utc_offset_s: i64,
    pub alert_settings: AlertSettings,
    pub grades: Arc<GradeConfig>,
    pub travel: Arc<TravelCache>,
    /// Each station's circle and roads, for consoles.
    pub maps: Arc<MapCache>,
    /// Background improvements after re-plans running here.
    pub improving: Arc<Improving>,
    /// Road paths of routes, for deviation alerts and the station's map.
    pub paths: Arc<crate::route_view::PathCache>,
    pub metrics: Arc<Metrics>,
    /// Turns true when the service stops: event streams end.
    pub shutdown: watch::Receiver<bool>,
    stop: Arc<watch::Sender<bool>>,
}

impl AppState {
    /// Ends every event stream (the service is stopping).
    pub fn stop_streams(&self) {
        let _ = self.stop.send(true);
    }

    /// Waits for this process's jobs loop to end (after [`AppState::stop_streams`]: running
    /// jobs finish within the grace period, or are handed back).
    pub async fn workers_stopped(&self) {
        let handle = self.workers.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let _ = handle.await;
        }
    }
}

/// One endpoint: the router and the OpenAPI document are both made from [`ENDPOINTS`].
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    /// Who may call it: `public`, or the roles.
    pub roles: &'static str,
    pub summary: &'static str,
    pub success: u16,
    pub query: &'static [Query],
    pub body: Body,
    pub answer: Answer,
}

macro_rules! endpoints {
    ($( $method:ident $path:literal => $handler:path, $success:literal, $roles:literal, $summary:literal,
        [$($query:expr),*], $body:expr, $answer:expr; )*) => {
        /// Every endpoint of the service.
        pub const ENDPOINTS: &[Endpoint] = &[
            $( Endpoint { method: stringify!($method), path: $path, roles: $roles, summary: $summary,
                          success: $success, query: &[$($query),*], body: $body, answer: $answer }, )*
        ];

        fn routes() -> Router<AppState> {
            let mut router = Router::new();
            $( router = router.route($path, axum::routing::$method($handler)); )*
            router
        }
    };
}

endpoints! {
    get "/healthz" => ops::healthz, 200, "public", "The service and its database answer",
        [], Body::None, json::<ops::Health>();
    get "/readyz" => ops::readyz, 200, "public", "Send this replica requests: its database answers and it is not stopping (503 otherwise); the event bus's state",
        [], Body::None, json::<ops::Readiness>();
    get "/metrics" => ops::metrics, 200, "public", "Prometheus metrics",
        [], Body::None, Answer::Other("text/plain");
    get "/openapi.json" => ops::openapi, 200, "public", "This document",
        [], Body::None, json::<serde_json::Map<String, serde_json::Value>>();
    post "/v1/orders" => orders::create, 201, "admin, dispatcher", "Create an order (\"urgent\": true inserts it into the day's plan at once)",
        [], body::<NewOrder>(), json::<orders::CreatedOrder>();
    get "/v1/orders" => orders::list, 200, "admin, dispatcher, planner", "List orders: ?station=&date=&status=&cursor=&limit=",
        [q::STATION, q::DATE, q::ORDER_STATUS, q::CURSOR, q::LIMIT], Body::None, json::<Page<Order>>();
    get "/v1/orders/{id}" => orders::get, 200, "admin, dispatcher, planner", "One order",
        [], Body::None, json::<Order>();
    patch "/v1/orders/{id}" => orders::change, 200, "admin, dispatcher", "Change an order's fields; its day is re-planned",
        [], body::<OrderPatch>(), json::<orders::ChangedOrder>();
    post "/v1/orders/{id}/cancel" => orders::cancel, 200, "admin, dispatcher", "Cancel an order; it leaves its route",
        [], Body::None, json::<orders::CancelledOrder>();
    post "/v1/plans" => plans::create, 202, "admin, dispatcher", "Plan a station's day in the background",
        [], body::<plans::NewPlan>(), json::<plans::QueuedPlan>();
    get "/v1/plans/{id}" => plans::get, 200, "admin, dispatcher, planner", "A plan's status (queued, running, done, failed, cancelled) and newest version",
        [], Body::None, json::<plans::PlanState>();
    delete "/v1/plans/{id}" => plans::cancel, 200, "admin, dispatcher", "Cancel a queued or running plan wherever it is solved (a finished one: 409)",
        [], Body::None, json::<plans::CancelledPlan>();
    get "/v1/plans/{id}/events" => plans::events, 200, "admin, dispatcher, planner", "A plan's improving versions (Server-Sent Events)",
        [], Body::None, events();
    get "/v1/stations/{id}/events" => stations::events, 200, "admin, dispatcher", "The station's live stream (Server-Sent Events; Last-Event-ID resumes)",
        [q::AFTER], Body::None, events();
    get "/v1/stations/{id}/plan" => stations::plan, 200, "admin, dispatcher, planner", "The plan caregivers follow: ?date= (&format=csv: the day as a spreadsheet, &lang=en for English headers)",
        [q::DAY, q::PLAN_FORMAT, q::CSV_LANG], Body::None, json_or::<stations::StationPlan>(&["text/csv"]);
    post "/v1/stations/{id}/absences" => stations::absence, 200, "admin, dispatcher", "Mark a caregiver absent; their remaining visits are re-planned",
        [], body::<stations::Absence>(), json::<stations::AbsenceChange>();
    delete "/v1/stations/{id}/absences/{caregiver}" => stations::undo_absence, 200, "admin, dispatcher", "Undo an absence (?date=): the caregiver is available again and the day is re-planned",
        [q::DAY], Body::None, json::<stations::AbsenceChange>();
    get "/v1/stations/{id}/alerts" => stations::alerts, 200, "admin, dispatcher", "The station's alerts of a day: ?date=",
        [q::DAY], Body::None, json::<stations::Alerts>();
    post "/v1/stations/{id}/package-orders" => stations::package_orders, 200, "admin, dispatcher", "Orders for a day from the station's care packages",
        [], body::<stations::PackageDay>(), json::<stations::PackageOrders>();
    post "/v1/stations/{id}/replan" => stations::replan, 200, "admin, dispatcher", "Re-plan a station's day now: {date}; started and locked visits stay",
        [], body::<stations::ReplanRequest>(), json::<stations::Replanned>();
    get "/v1/stations/{id}/map" => stations::map, 200, "admin, dispatcher, planner", "The station's circle, the roads around it and its clients, for a map",
        [], Body::None, json::<stations::StationMap>();
    put "/v1/stations/{id}/matrix" => matrix::put, 200, "admin, dispatcher", "Upload or replace the station's own travel matrix (JSON or CSV, at most 256 MiB); its days are then planned on it",
        [], rows::<formats::travel_matrix::MatrixJson>(), json::<matrix::StationMatrix>();
    get "/v1/stations/{id}/matrix" => matrix::get, 200, "admin, dispatcher, planner", "Which matrix version the station's days are planned on (404: the roads)",
        [], Body::None, json::<matrix::StationMatrix>();
    delete "/v1/stations/{id}/matrix" => matrix::delete, 200, "admin, dispatcher", "Drop the station's matrix: back to the roads",
        [], Body::None, json::<matrix::DroppedMatrix>();
    get "/v1/stations/{id}/routes.geojson" => stations::routes_geojson, 200, "admin, dispatcher, planner", "The day's routes on the roads, one line per caregiver: ?date= (default today), &caregivers=C1,C2 (only theirs)",
        [q::DATE, q::CAREGIVERS], Body::None, geojson::<FeatureCollection>();
    get "/v1/stations/{id}/positions" => stations::positions, 200, "admin, dispatcher", "The station's caregivers' last positions: ?date= (default today)",
        [q::DATE], Body::None, json::<stations::Positions>();
    post "/v1/alerts/{id}/acknowledge" => stations::acknowledge, 200, "admin, dispatcher", "Acknowledge an alert (by its dedup id)",
        [], Body::None, json::<StoredAlert>();
    post "/v1/orders/{id}/lock" => orders::lock, 200, "admin, dispatcher", "Lock a planned visit: re-plans keep its caregiver and start",
        [], Body::None, json::<orders::VisitLock>();
    post "/v1/orders/{id}/assign" => orders::assign, 200, "admin, dispatcher", "Put a visit on a caregiver's route by hand: {caregiver, start?}; checked, kept there (locked) and the rest re-planned, or 422 naming the rule it breaks",
        [], body::<orders::Assignment>(), json::<orders::AssignedVisit>();
    post "/v1/orders/{id}/unlock" => orders::unlock, 200, "admin, dispatcher", "Unlock a visit: re-plans may move it again",
        [], Body::None, json::<orders::VisitLock>();
    get "/v1/me" => me::whoami, 200, "admin, dispatcher, caregiver, planner", "Who this token speaks for: role, stations, caregiver",
        [], Body::None, json::<me::Me>();
    get "/v1/caregivers/{id}/route" => caregivers::route, 200, "admin, dispatcher, planner", "A caregiver's route: ?date=",
        [q::DAY], Body::None, json::<RouteJson>();
    get "/v1/me/events" => me_events::events, 200, "caregiver", "My route's news (Server-Sent Events): a `route` event when a new plan adds, takes away or moves my visits; Last-Event-ID resumes",
        [q::AFTER], Body::None, events();
    get "/v1/me/route" => me::route, 200, "caregiver", "My route: ?date= (default today)",
        [q::DATE], Body::None, json::<RouteJson>();
    get "/v1/me/route.geojson" => me::route_geojson, 200, "caregiver", "My route as GeoJSON, with the road path of each leg",
        [q::DATE], Body::None, geojson::<FeatureCollection>();
    get "/v1/me/route.ics" => me::route_ical, 200, "caregiver", "My route as an iCalendar feed",
        [q::DATE], Body::None, Answer::Other("text/calendar");
    post "/v1/me/visits/{id}/check-in" => me::check_in, 200, "caregiver", "Check in at a visit: {lon, lat, crs}",
        [], body::<me::CheckBody>(), json::<me::CheckRecord>();
    post "/v1/me/visits/{id}/check-out" => me::check_out, 200, "caregiver", "Check out of a visit: {lon, lat, crs}",
        [], body::<me::CheckBody>(), json::<me::CheckRecord>();
    post "/v1/me/positions" => me::position, 200, "caregiver", "Where I am: {lon, lat, crs}; raises deviation alerts",
        [], body::<me::Position>(), json::<me::PositionAnswer>();
    post "/v1/orders/{id}/rating-link" => ratings::reissue, 201, "admin, dispatcher", "A new one-time rating link for a checked-out visit (the old one stops working)",
        [], Body::None, json::<ratings::RatingLink>();
    get "/v1/ratings/{link}" => ratings::show, 200, "public", "What a rating link rates: the visit's day, service and caregiver",
        [], Body::None, json::<ratings::RatedVisit>();
    post "/v1/ratings/{link}" => ratings::rate, 201, "public", "Rate the visit once: {stars: 1-5, comment}; two stars or fewer raise an alert",
        [], body::<ratings::NewRating>(), json::<ratings::GivenRating>();
    get "/v1/stations/{id}/ratings" => ratings::of_station, 200, "admin, dispatcher, planner", "The station's ratings: ?from=&to= (days; default this month), their mean and the low ones",
        [q::FROM_DAY, q::TO_DAY], Body::None, json::<ratings::StationRatings>();
    get "/v1/reports/teams" => reports::teams, 200, "admin, planner", "The quarter's team grades with their parts: ?quarter=2026Q3&format=json|svg",
        [q::QUARTER, q::SVG_FORMAT], Body::None, json_or::<grades::Report>(&["image/svg+xml"]);
    get "/v1/ledger" => reports::ledger, 200, "admin, dispatcher, planner", "Service hours of finished visits: ?from=YYYY-MM&to=&by=client|caregiver|team|station|month&station=&format=json|csv|svg",
        [q::FROM_MONTH, q::TO_MONTH, q::LEDGER_BY, q::STATION, q::LEDGER_FORMAT], Body::None, json_or::<Ledger>(&["text/csv", "image/svg+xml"]);
    post "/v1/planner/coverage" => planner::coverage, 200, "admin, planner", "Which clients each station's circle reaches",
        [], body::<planner::CoverageQuestion>(), json::<planner::Coverage>();
    post "/v1/planner/site" => planner::site, 200, "admin, planner", "Where new stations would cover most clients",
        [], body::<planner::SiteQuestion>(), json::<SiteReport>();
    post "/v1/planner/simulate" => planner::simulate, 200, "admin, planner", "Simulate weeks of demand on the stations",
        [], body::<planner::SimulateQuestion>(), json::<planner::Staffing>();
    get "/v1/tokens" => tokens::list, 200, "admin", "Every token: public id, role, scope, creation, expiry, revocation (never a secret)",
        [], Body::None, json::<tokens::Tokens>();
    post "/v1/tokens" => tokens::create, 201, "admin", "Make a token {role, stations, caregiver, label, expires_in_days}; the answer shows it once",
        [], body::<tokens::NewToken>(), json::<tokens::NewTokenAnswer>();
    post "/v1/tokens/{id}/revoke" => tokens::revoke, 200, "admin", "Revoke a token by its public id: refused on its next request (within 5 s on other replicas)",
        [], Body::None, json::<tokens::Revoked>();
    get "/v1/{kind}" => master::list, 200, "admin, dispatcher, planner", "List stations|teams|caregivers|clients|packages|canteens|pools: ?station=&active=&cursor=&limit= (pools: all, for every reader)",
        [q::STATION, q::ACTIVE, q::CURSOR, q::LIMIT], Body::None, json::<Page<master::MasterRow>>();
    post "/v1/{kind}" => master::create, 201, "admin (stations, pools), dispatcher", "Create a station, team, caregiver, client, package, canteen or pool",
        [], body::<master::MasterBody>(), json::<master::MasterRow>();
    post "/v1/{kind}/import" => master::import, 200, "admin (stations, pools), dispatcher", "Import rows from text/csv (Chinese headers work) or a JSON array",
        [], rows::<Vec<master::MasterBody>>(), json::<master::Imported>();
    get "/v1/{kind}/{id}" => master::get, 200, "admin, dispatcher, planner", "One row",
        [], Body::None, json::<master::MasterRow>();
    put "/v1/{kind}/{id}" => master::put, 200, "admin (stations, pools), dispatcher", "Replace a row",
        [], body::<master::MasterBody>(), json::<master::MasterRow>();
    delete "/v1/{kind}/{id}" => master::deactivate, 200, "admin (stations, pools), dispatcher", "Deactivate a row (it stays for old orders and plans; a pool's stations plan alone again)",
        [], Body::None, json::<master::MasterRow>();
}

/// Limits of every request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_body_bytes: 4 << 20, request_timeout: Duration::from_secs(30) }
    }
}

/// Request ids: a per-process random prefix and a counter, cheap and unique enough to
/// follow one request through the logs.
#[derive(Clone)]
struct NextRequestId(Arc<(String, AtomicU64)>);

impl MakeRequestId for NextRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0 .1.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.0 .0)).ok().map(RequestId::new)
    }
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

/// Every error answer is `application/problem+json`, also those axum and the layers make
/// themselves (405, 408, 413, ...).
async fn problem_errors(response: Response) -> Response {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() || is_problem(&response) {
        return response;
    }
    let detail = match axum::body::to_bytes(response.into_body(), 64 << 10).await {
        Ok(b) if !b.is_empty() => String::from_utf8_lossy(&b).into_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let detail =
        if status == StatusCode::PAYLOAD_TOO_LARGE { format!("body: {detail}") } else { detail };
    AppError::Status { status, detail }.into_response()
}

/// Every error as a problem, its `detail` in the request's language (`Accept-Language`:
/// Chinese by default, or English), said in `Content-Language`.
async fn problems(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let language = Language::of(request.headers());
    let response = problem_errors(next.run(request).await).await;
    if !is_problem(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts.headers.insert(header::CONTENT_LANGUAGE, language.tag());
    parts.headers.insert(header::VARY, HeaderValue::from_static("accept-language"));
    let Ok(bytes) = axum::body::to_bytes(body, 64 << 10).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let mut problem: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(p) if language == Language::Chinese => p,
        _ => return Response::from_parts(parts, axum::body::Body::from(bytes)),
    };
    let code = problem["code"].as_str().unwrap_or("").to_string();
    let english = problem["detail"].as_str().unwrap_or("").to_string();
    problem["detail"] = problem_language::chinese(&code, &problem["params"], &english).into();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(problem.to_string()))
}

/// The service's routes and layers.
pub fn app(state: AppState) -> Router {
    app_with(state, Limits::default())
}

pub fn app_with(state: AppState, limits: Limits) -> Router {
    let prefix = format!("{:08x}", rand::random::<u32>());
    let ids = NextRequestId(Arc::new((prefix, AtomicU64::new(1))));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &axum::http::Request<axum::body::Body>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %request.method(), uri = %request.uri())
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    routes()
        .merge(crate::web::pages())
        .fallback(|| async { AppError::NotFound("no such endpoint".into()) })
        // A bug must cost one request a 500, never the connection or the worker.
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(crate::limits::clean_uri))
        .layer(axum::middleware::from_fn(crate::limits::json_or_csv))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        // Outside the timeout, so that its 408 is a problem too.
        .layer(axum::middleware::from_fn(problems))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(ids))
        .with_state(state)
}

/// Opens the database, connects the event bus and imports the scenario. (Plans a stopped
/// replica left running are failed by [`serve`]'s reaper once they go unmarked.)
pub async fn build_state(config: &ServeConfig) -> Result<AppState, ServeError> {
    let mut store = Store::connect(&config.db_url)
        .await
        .map_err(|source| ServeError::Database { url: redact(&config.db_url), source })?;
    store.connect_bus(&config.db_url, config.nats.as_ref()).await?;
    tracing::info!(bus = store.bus().kind(), "event bus");
    let date = match &config.scenario.date {
        Some(d) => Some(
            PlanDate::parse(d).map_err(|reason| ServeError::Scenario(format!("date: {reason}")))?,
        ),
        None => None,
    };
    let imported = store.import_scenario(&config.scenario, date.as_ref()).await?;
    if imported > 0 {
        tracing::info!(imported, "orders imported from the scenario");
    }
    if let Some(matrix) = &config.matrix {
        crate::travel::import_scenario_matrix(&store, &config.scenario, matrix).await?;
    }
    let queue = crate::queue::connect(&store, config.nats.as_ref()).await?;
    tracing::info!(queue = queue.kind(), "solve queue");
    if queue.is_in_process() {
        // A new, empty queue: what was queued or running before is queued again.
        store.requeue_all().await?;
    }
    let instance = match &config.instance_id {
        Some(id) => {
            let taken = store.take_back_own(id).await?;
            if taken > 0 {
                tracing::warn!(instance = %id, taken, "plans this instance held before it stopped are queued again");
            }
            id.clone()
        }
        None => format!(
            "{}-{:08x}",
            if config.solve_here { "serve" } else { "api" },
            rand::random::<u32>()
        ),
    };
    let (stop, shutdown) = watch::channel(false);
    let tokens = Arc::new(TokenCache::new(config.token_fresh));
    forget_revoked_tokens(&store, tokens.clone());
    let state = AppState {
        store,
        network: config.network.clone(),
        matrices: Arc::default(),
        solve_time_limit: config.solve_time_limit,
        solve_cores: config.solve_cores(),
        queue,
        instance,
        jobs: Arc::default(),
        workers: Arc::default(),
        tokens,
        clock: config.clock.clone(),
        utc_offset_s: config.utc_offset_s,
        alert_settings: config.alerts,
        grades: Arc::new(config.grades.clone()),
        travel: Arc::default(),
        maps: Arc::default(),
        improving: Arc::default(),
        paths: Arc::default(),
        metrics: Arc::default(),
        shutdown,
        stop: Arc::new(stop),
    };
    if config.solve_here {
        let jobs = crate::solve_worker::run_workers(
            state.clone(),
            state.shutdown.clone(),
            config.stop_grace,
        );
        if let Ok(mut workers) = state.workers.lock() {
            *workers = Some(tokio::spawn(jobs));
        }
    }
    Ok(state)
}

/// Empties the token cache whenever any replica revokes a token.
fn forget_revoked_tokens(store: &Store, tokens: Arc<TokenCache>) {
    let mut wake = store.event_wakeups();
    tokio::spawn(async move {
        loop {
            match wake.recv().await {
                Ok(Wake::TokensRevoked | Wake::Everything)
                | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => tokens.clear(),
                Ok(Wake::Events(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_end = url[scheme + 3..at].find(':').map_or(at, |i| scheme + 3 + i);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Runs a worker (`carecircle worker`): takes solve jobs from the queue (its jobs loop was
/// started with the state) and answers `/healthz`, `/readyz` and `/metrics` on
/// `config.addr`, until Ctrl-C or SIGTERM; then lets running jobs finish within the grace
/// period, hands the rest back, and closes the database.
pub async fn run_worker(config: ServeConfig, state: AppState) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    let addr =
        listener.local_addr().map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    tracing::info!(instance = %state.instance, queue = state.queue.kind(),
                   "CareCircle worker: health on http://{addr}  (Ctrl-C stops it)");
    let upkeep = crate::solve_worker::spawn_upkeep(state.clone());
    let router = Router::new()
        .route("/healthz", axum::routing::get(ops::healthz))
        .route("/readyz", axum::routing::get(ops::readyz))
        .route("/metrics", axum::routing::get(ops::metrics))
        .with_state(state.clone());
    let stopping = state.clone();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            stop_signal().await;
            tracing::info!("stopping: no new jobs; running jobs may finish");
            stopping.stop_streams();
        })
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    state.workers_stopped().await;
    upkeep.abort();
    state.store.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Runs the service until Ctrl-C or SIGTERM; then ends the event streams, lets requests in
/// flight finish, and closes the database.
pub async fn serve(config: ServeConfig, state: AppState) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    let addr =
        listener.local_addr().map_err(|source| ServeError::Bind { addr: config.addr, source })?;
    tracing::info!("CareCircle dispatch service listening on http://{addr}  (Ctrl-C stops it)");
    let scanner = alerts::spawn_scanner(state.clone());
    // Plans whose worker stopped are queued again; plans not on the queue are pushed.
    let upkeep = crate::solve_worker::spawn_upkeep(state.clone());
    let stopping = state.clone();
    let limits = config.limits;
    axum::serve(listener, app_with(state.clone(), limits))
        .with_graceful_shutdown(async move {
            stop_signal().await;
            tracing::info!("stopping: finishing requests in flight");
            stopping.stop_streams();
        })
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    scanner.abort();
    state.workers_stopped().await;
    upkeep.abort();
    state.store.close().await;
    Ok(())
}
