//! What each endpoint reads and answers, for the OpenAPI document: the JSON Schemas come from
//! the Rust types the handlers parse and serialize ([`schemars`]), so the document cannot
//! drift from the code.

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Writes the schema of one type (a `$ref` into `components/schemas` for named types).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// An endpoint's request body.
#[derive(Clone, Copy)]
pub enum Body {
    None,
    Json(SchemaFn),
    /// JSON of the schema, or a `text/csv` table of the same rows.
    JsonOrCsv(SchemaFn),
}

/// An endpoint's successful answer.
#[derive(Clone, Copy)]
pub enum Answer {
    Json(SchemaFn),
    /// JSON of the schema by default, or another media type on request (`?format=`).
    JsonOr(SchemaFn, &'static [&'static str]),
    /// JSON of the schema under its own media type (`application/geo+json`).
    JsonAs(SchemaFn, &'static str),
    /// Not JSON: a stream, a calendar, GeoJSON, text.
    Other(&'static str),
}

/// The request body is JSON of `T`.
pub const fn body<T: JsonSchema>() -> Body {
    Body::Json(schema_of::<T>)
}

/// The request body is JSON of `T` or the same rows as CSV.
pub const fn rows<T: JsonSchema>() -> Body {
    Body::JsonOrCsv(schema_of::<T>)
}

/// The answer is JSON of `T`.
pub const fn json<T: JsonSchema>() -> Answer {
    Answer::Json(schema_of::<T>)
}

/// The answer is GeoJSON: `T` as `application/geo+json`.
pub const fn geojson<T: JsonSchema>() -> Answer {
    Answer::JsonAs(schema_of::<T>, "application/geo+json")
}

/// One event of a Server-Sent Events stream, as a client reads it: its `event` name (`plan`,
/// `assignment`, `check-in`, …), its `id` to resume after (`Last-Event-ID`) and its `data`, a
/// JSON object.
#[derive(serde::Serialize, JsonSchema)]
#[allow(dead_code)] // the stream writes events itself; this type only describes them
pub struct ServerSentEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    data: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry: Option<u64>,
}

/// The answer is a stream of Server-Sent Events.
pub const fn events() -> Answer {
    Answer::JsonAs(schema_of::<ServerSentEvent>, "text/event-stream")
}

/// The answer is JSON of `T`, or one of `others` when asked for.
pub const fn json_or<T: JsonSchema>(others: &'static [&'static str]) -> Answer {
    Answer::JsonOr(schema_of::<T>, others)
}

/// GeoJSON (RFC 7946) as the service writes it: features with one geometry and their
/// properties.
pub mod geo {
    use schemars::JsonSchema;
    use serde::Serialize;
    use serde_json::{Map, Value};

    /// `Feature`
    #[derive(Clone, Debug, Serialize, JsonSchema)]
    pub struct Feature {
        #[serde(rename = "type")]
        pub kind: FeatureKind,
        pub geometry: Geometry,
        pub properties: Map<String, Value>,
    }

    #[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
    pub enum FeatureKind {
        Feature,
    }

    #[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
    pub enum CollectionKind {
        FeatureCollection,
    }

    /// A geometry: its type (`Point`, `LineString`, `Polygon`, `MultiLineString`) and its
    /// coordinates, `[lon, lat]` in WGS84 degrees, nested as the type says.
    #[derive(Clone, Debug, Serialize, JsonSchema)]
    pub struct Geometry {
        #[serde(rename = "type")]
        pub kind: &'static str,
        #[schemars(with = "Vec<Value>")]
        pub coordinates: Value,
    }

    impl Feature {
        pub fn new(kind: &'static str, coordinates: Value, properties: Value) -> Feature {
            let properties = match properties {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            Feature {
                kind: FeatureKind::Feature,
                geometry: Geometry { kind, coordinates },
                properties,
            }
        }
    }

    /// `FeatureCollection`, with an attribution of the data it was drawn from.
    #[derive(Clone, Debug, Serialize, JsonSchema)]
    pub struct FeatureCollection {
        #[serde(rename = "type")]
        pub kind: CollectionKind,
        pub features: Vec<Feature>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub attribution: Option<&'static str>,
    }

    impl FeatureCollection {
        pub fn new(features: Vec<Feature>, attribution: Option<&'static str>) -> Self {
            FeatureCollection { kind: CollectionKind::FeatureCollection, features, attribution }
        }
    }
}

/// A query parameter of an endpoint.
#[derive(Clone, Copy)]
pub struct Query {
    pub name: &'static str,
    pub required: bool,
    pub kind: QueryKind,
    pub description: &'static str,
}

/// What a query parameter's value is.
#[derive(Clone, Copy)]
pub enum QueryKind {
    Text,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// A month, `YYYY-MM`.
    Month,
    /// A page's length, 1 to [`crate::routes::MAX_PAGE`].
    Limit,
    Boolean,
    OneOf(&'static [&'static str]),
}

const fn query(name: &'static str, kind: QueryKind, description: &'static str) -> Query {
    Query { name, required: false, kind, description }
}

impl Query {
    const fn required(self) -> Query {
        Query { required: true, ..self }
    }
}

/// The parameters endpoints share.
pub mod q {
    use super::{query, Query, QueryKind};

    pub const DATE: Query = query("date", QueryKind::Date, "The day (default: today)");
    pub const DAY: Query = query("date", QueryKind::Date, "The day").required();
    pub const STATION: Query = query("station", QueryKind::Text, "Only this station's");
    pub const CURSOR: Query = query("cursor", QueryKind::Text, "The `next` of the page before");
    pub const LIMIT: Query = query("limit", QueryKind::Limit, "Items in a page (default 100)");
    pub const ACTIVE: Query = query("active", QueryKind::Boolean, "Only active, or inactive, rows");
    pub const ORDER_STATUS: Query =
        query("status", QueryKind::OneOf(&["open", "cancelled"]), "Only orders of this status");
    pub const PLAN_FORMAT: Query =
        query("format", QueryKind::OneOf(&["json", "csv"]), "csv: the day as a spreadsheet");
    pub const CSV_LANG: Query =
        query("lang", QueryKind::OneOf(&["en", "zh"]), "The CSV's headers: English, or Chinese");
    pub const CAREGIVERS: Query =
        query("caregivers", QueryKind::Text, "Only these caregivers' routes: C1,C2");
    pub const FROM_DAY: Query =
        query("from", QueryKind::Date, "The first day (default: the month's first)");
    pub const TO_DAY: Query =
        query("to", QueryKind::Date, "The last day (default: the month's last)");
    pub const QUARTER: Query = query("quarter", QueryKind::Text, "2026Q3 (default: this quarter)");
    pub const SVG_FORMAT: Query =
        query("format", QueryKind::OneOf(&["json", "svg"]), "svg: the chart");
    pub const FROM_MONTH: Query =
        query("from", QueryKind::Month, "The first month (default: this one)");
    pub const TO_MONTH: Query = query("to", QueryKind::Month, "The last month (default: from)");
    pub const LEDGER_BY: Query = query(
        "by",
        QueryKind::OneOf(&["client", "caregiver", "team", "station", "month"]),
        "What the hours are summed by (default client)",
    );
    pub const LEDGER_FORMAT: Query = query(
        "format",
        QueryKind::OneOf(&["json", "csv", "svg"]),
        "csv: a spreadsheet; svg: a chart",
    );
    pub const AFTER: Query =
        query("after", QueryKind::Text, "Resume after this event id (as Last-Event-ID): S1:42");
}
