//! A user's own travel times: a matrix file of seconds (and optionally metres) between named
//! points, per travel mode. Stations hold such matrices from Amap or Baidu, or times their
//! caregivers measured; where OpenStreetMap is thin they replace the roads.
//!
//! Two spellings, both documented in `scenarios/README.md`:
//! - JSON: `{"points": ["S1", "K1", ...], "modes": {"ebike": {"durations": [[0, 312, null,
//!   ...], ...], "distances": [[...]]}}}`, rows and columns in `points` order, `null` where
//!   there is no way (the pair is unreachable), `distances` optional;
//! - CSV: `from,to,mode,seconds,metres`, one row per ordered pair (a point to itself may be
//!   left out; `metres` may be empty on every row); an absent pair is an error naming it.
//!
//! Points are named by the scenario's ids: a station's, a client's or a canteen's. Values are
//! whole seconds and metres (a fraction is rounded); negative or non-finite values are errors
//! naming the pair. Without distances, a leg's metres are estimated from its seconds at the
//! mode's straight-line speed (see [`StraightLine`]).

use crate::scenario::TravelMode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// Where a matrix file was refused: the field (a JSON path or a CSV line, with the pair it
/// concerns) and the reason.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MatrixError {
    #[error("not valid travel-matrix JSON at line {line}, column {column}: {reason}")]
    Json { line: usize, column: usize, reason: String },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> MatrixError {
    MatrixError::Invalid { field: field.into(), reason: reason.into() }
}

/// The most points a matrix may have: a county's 3,200 clients, its stations and canteens,
/// with room to spare (4,000² pairs are 16 million per mode).
pub const MAX_POINTS: usize = 4_000;

/// Seconds (or metres) too large for a day's travel: refused.
const MAX_VALUE: f64 = 10_000_000.0;

/// Travel between named points, per mode. Entries are `u32` (4 bytes a pair), [`Self::NONE`]
/// where there is no way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TravelMatrix {
    points: Vec<String>,
    index: HashMap<String, usize>,
    modes: BTreeMap<TravelMode, ModeTimes>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct ModeTimes {
    seconds: Vec<u32>,
    metres: Option<Vec<u32>>,
}

/// One mode's seconds and metres per pair as CSV rows give them (`None`: no row yet).
type PairsRead = (Vec<Option<u32>>, Vec<Option<u32>>);

/// The JSON spelling, as read and written.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "CareCircle travel matrix")]
pub struct MatrixJson {
    /// The points, named by the scenario's station, client and canteen ids.
    pub points: Vec<String>,
    /// Per travel mode (`walk`, `ebike`, `car`), the times (and optionally distances).
    pub modes: BTreeMap<TravelMode, ModeJson>,
}

/// One mode's matrices: `durations[i][j]` is from `points[i]` to `points[j]`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModeJson {
    /// Whole seconds; `null` where there is no way.
    #[schemars(with = "Vec<Vec<Option<f64>>>")]
    pub durations: Rows,
    /// Whole metres (optional); `null` where there is no way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<Vec<Option<f64>>>>")]
    pub distances: Option<Rows>,
}

/// Rows of numbers as JSON writes them (`[[0, 312, null], ...]`), held flat: a county's matrix
/// is tens of millions of numbers, read without a vector per row. `null` is kept as NaN (JSON
/// has no NaN of its own, so nothing else reads as one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    values: Vec<f64>,
    /// Where each row starts in `values`, and one past the last row's end.
    starts: Vec<usize>,
}

impl Rows {
    /// `n` rows of `n` from a row-major square, [`TravelMatrix::NONE`] written as null.
    fn square(values: &[u32], n: usize) -> Rows {
        let values = values
            .iter()
            .map(|&x| if x == TravelMatrix::NONE { f64::NAN } else { f64::from(x) })
            .collect();
        Rows { values, starts: (0..=n).map(|i| i * n).collect() }
    }

    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Row `i`; null entries are NaN.
    fn row(&self, i: usize) -> &[f64] {
        &self.values[self.starts[i]..self.starts[i + 1]]
    }
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Rows, D::Error> {
        struct Outer;
        struct Inner<'a>(&'a mut Vec<f64>);
        impl<'de> serde::de::Visitor<'de> for Outer {
            type Value = Rows;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of rows of numbers or null")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Rows, A::Error> {
                let mut rows = Rows { values: Vec::new(), starts: vec![0] };
                while seq.next_element_seed(Inner(&mut rows.values))?.is_some() {
                    rows.starts.push(rows.values.len());
                }
                Ok(rows)
            }
        }
        impl<'de> serde::de::DeserializeSeed<'de> for Inner<'_> {
            type Value = ();
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_seq(self)
            }
        }
        impl<'de> serde::de::Visitor<'de> for Inner<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a row of numbers or null")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while let Some(x) = seq.next_element::<Option<f64>>()? {
                    self.0.push(x.unwrap_or(f64::NAN));
                }
                Ok(())
            }
        }
        deserializer.deserialize_seq(Outer)
    }
}

impl Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        struct Row<'a>(&'a [f64]);
        impl Serialize for Row<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for &x in self.0 {
                    // Whole numbers (as the matrix holds them), or null for no way.
                    seq.serialize_element(&(!x.is_nan()).then_some(x as u32))?;
                }
                seq.end()
            }
        }
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for i in 0..self.len() {
            seq.serialize_element(&Row(self.row(i)))?;
        }
        seq.end()
    }
}

impl TravelMatrix {
    /// No way between the two points.
    pub const NONE: u32 = u32::MAX;

    /// Reads either spelling: JSON when the text starts with `{`, else CSV.
    pub fn parse(text: &str) -> Result<TravelMatrix, MatrixError> {
        if text.trim_start().starts_with('{') {
            TravelMatrix::from_json(text)
        } else {
            TravelMatrix::from_csv(text)
        }
    }

    /// Reads the JSON spelling.
    pub fn from_json(text: &str) -> Result<TravelMatrix, MatrixError> {
        let json: MatrixJson = serde_json::from_str(text).map_err(|e| MatrixError::Json {
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        })?;
        TravelMatrix::from_parts(json)
    }

    /// Checks the JSON spelling's sizes and values.
    pub fn from_parts(json: MatrixJson) -> Result<TravelMatrix, MatrixError> {
        let index = point_index(&json.points)?;
        let n = json.points.len();
        if json.modes.is_empty() {
            return Err(invalid("modes", "names no travel mode (walk, ebike or car)"));
        }
        let mut modes = BTreeMap::new();
        for (mode, m) in json.modes {
            let field = format!("modes.{mode}");
            let seconds = square(&format!("{field}.durations"), &json.points, &m.durations)?;
            let metres = match &m.distances {
                Some(d) => Some(square(&format!("{field}.distances"), &json.points, d)?),
                None => None,
            };
            if let Some(d) = &metres {
                for k in 0..n * n {
                    if (seconds[k] == Self::NONE) != (d[k] == Self::NONE) {
                        let (i, j) = (k / n, k % n);
                        return Err(invalid(
                            format!("{field}.distances[{i}][{j}]"),
                            format!(
                                "{} → {}: null in one of durations and distances but not the other",
                                json.points[i], json.points[j]
                            ),
                        ));
                    }
                }
            }
            modes.insert(mode, ModeTimes { seconds, metres });
        }
        Ok(TravelMatrix { points: json.points, index, modes })
    }

    /// Reads the CSV spelling `from,to,mode,seconds,metres` (a header line is allowed).
    pub fn from_csv(text: &str) -> Result<TravelMatrix, MatrixError> {
        struct Row<'a> {
            line: usize,
            from: &'a str,
            to: &'a str,
            mode: TravelMode,
            seconds: Option<f64>,
            metres: Option<f64>,
        }
        // Quoted ids (with commas or quotes inside) are read as spreadsheets write them.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        for (k, record) in reader.records().enumerate() {
            let record = record.map_err(|e| invalid(format!("line {}", k + 1), e.to_string()))?;
            let line = record.position().map_or(k + 1, |p| p.line() as usize);
            records.push((line, record));
        }
        let mut rows = Vec::new();
        for (line, record) in &records {
            let line = *line;
            let cells: Vec<&str> = record.iter().collect();
            if cells.iter().all(|c| c.is_empty())
                || (rows.is_empty() && cells.first().is_some_and(|c| c.starts_with("from")))
            {
                continue;
            }
            if !(4..=5).contains(&cells.len()) {
                return Err(invalid(
                    format!("line {line}"),
                    format!("has {} fields, expected from,to,mode,seconds,metres", cells.len()),
                ));
            }
            let (from, to) = (cells[0], cells[1]);
            let pair = format!("line {line} ({from} → {to})");
            let mode: TravelMode = cells[2].parse().map_err(|e: String| invalid(&pair, e))?;
            let number = |cell: &str, what: &str| -> Result<Option<f64>, MatrixError> {
                if cell.is_empty() {
                    return Ok(None);
                }
                let x: f64 = cell
                    .parse()
                    .map_err(|_| invalid(&pair, format!("{what} {cell:?} is not a number")))?;
                Ok(Some(x))
            };
            let seconds = number(cells[3], "seconds")?;
            let metres = number(cells.get(4).copied().unwrap_or(""), "metres")?;
            rows.push(Row { line, from, to, mode, seconds, metres });
        }
        if rows.is_empty() {
            return Err(invalid("rows", "the file has no from,to,mode,seconds,metres row"));
        }
        let mut points: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for r in &rows {
            for id in [r.from, r.to] {
                if !index.contains_key(id) {
                    index.insert(id.to_string(), points.len());
                    points.push(id.to_string());
                }
            }
        }
        check_points(&points)?;
        let n = points.len();
        let with_metres = rows.iter().any(|r| r.metres.is_some());
        let mut modes: BTreeMap<TravelMode, PairsRead> = BTreeMap::new();
        for r in &rows {
            let field = || format!("line {} ({} → {}, {})", r.line, r.from, r.to, r.mode);
            let (i, j) = (index[r.from], index[r.to]);
            let (secs, metres) =
                modes.entry(r.mode).or_insert_with(|| (vec![None; n * n], vec![None; n * n]));
            if secs[i * n + j].is_some() {
                return Err(invalid(field(), "this pair and mode appear twice"));
            }
            let Some(s) = r.seconds else {
                return Err(invalid(field(), "seconds is empty"));
            };
            secs[i * n + j] = Some(whole(field, "seconds", s)?);
            match (r.metres, with_metres) {
                (Some(m), _) => metres[i * n + j] = Some(whole(field, "metres", m)?),
                (None, true) => {
                    return Err(invalid(field(), "metres is empty while other rows give it"))
                }
                (None, false) => {}
            }
        }
        let mut out = BTreeMap::new();
        for (mode, (secs, metres)) in modes {
            let mut seconds = Vec::with_capacity(n * n);
            let mut distances = Vec::with_capacity(n * n);
            for k in 0..n * n {
                let (i, j) = (k / n, k % n);
                match secs[k] {
                    Some(s) => seconds.push(s),
                    None if i == j => seconds.push(0),
                    None => {
                        return Err(invalid(
                            "rows",
                            format!("no row for {} → {} ({mode})", points[i], points[j]),
                        ))
                    }
                }
                distances.push(metres[k].unwrap_or(0));
            }
            out.insert(mode, ModeTimes { seconds, metres: with_metres.then_some(distances) });
        }
        Ok(TravelMatrix { points, index, modes: out })
    }

    /// The JSON spelling (rows and columns in `points` order).
    pub fn to_json(&self) -> MatrixJson {
        let n = self.points.len();
        let rows = |v: &[u32]| Rows::square(v, n);
        MatrixJson {
            points: self.points.clone(),
            modes: self
                .modes
                .iter()
                .map(|(&mode, m)| {
                    let json = ModeJson {
                        durations: rows(&m.seconds),
                        distances: m.metres.as_deref().map(rows),
                    };
                    (mode, json)
                })
                .collect(),
        }
    }

    /// Builds a matrix from numbers computed elsewhere (`seconds[mode][i * n + j]`).
    pub fn from_numbers(
        points: Vec<String>,
        modes: BTreeMap<TravelMode, (Vec<u32>, Option<Vec<u32>>)>,
    ) -> Result<TravelMatrix, MatrixError> {
        let index = point_index(&points)?;
        let n = points.len();
        let mut out = BTreeMap::new();
        for (mode, (seconds, metres)) in modes {
            if seconds.len() != n * n || metres.as_ref().is_some_and(|m| m.len() != n * n) {
                return Err(invalid(format!("modes.{mode}"), format!("expected {n}x{n} entries")));
            }
            out.insert(mode, ModeTimes { seconds, metres });
        }
        Ok(TravelMatrix { points, index, modes: out })
    }

    pub fn points(&self) -> &[String] {
        &self.points
    }

    /// The modes the matrix has times for.
    pub fn modes(&self) -> impl Iterator<Item = TravelMode> + '_ {
        self.modes.keys().copied()
    }

    pub fn has_mode(&self, mode: TravelMode) -> bool {
        self.modes.contains_key(&mode)
    }

    /// Whether distances were given (else they are estimated from the times).
    pub fn has_distances(&self) -> bool {
        self.modes.values().all(|m| m.metres.is_some())
    }

    /// The index of point `id`, if the matrix covers it.
    pub fn point(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Seconds and metres from point `i` to point `j` by `mode`; `None` where there is no way
    /// (or the matrix has no such mode).
    pub fn leg(&self, mode: TravelMode, i: usize, j: usize) -> Option<(u32, u32)> {
        let m = self.modes.get(&mode)?;
        let k = i * self.points.len() + j;
        let s = *m.seconds.get(k)?;
        if s == Self::NONE {
            return None;
        }
        let metres = match &m.metres {
            Some(d) => d[k],
            // Estimated at the mode's straight-line speed.
            None => (f64::from(s) * StraightLine::default().speed_ms(mode)).round() as u32,
        };
        Some((s, metres))
    }

    /// The part of the matrix among `ids` (each must be covered), in that order.
    pub fn select(&self, ids: &[String]) -> Result<TravelMatrix, MatrixError> {
        let at: Vec<usize> = ids
            .iter()
            .map(|id| self.point(id).ok_or_else(|| invalid("points", format!("no point {id:?}"))))
            .collect::<Result<_, _>>()?;
        let (n, m) = (self.points.len(), at.len());
        let pick = |v: &[u32]| -> Vec<u32> {
            let mut out = Vec::with_capacity(m * m);
            for &i in &at {
                out.extend(at.iter().map(|&j| v[i * n + j]));
            }
            out
        };
        let modes = self
            .modes
            .iter()
            .map(|(&mode, t)| {
                (
                    mode,
                    ModeTimes { seconds: pick(&t.seconds), metres: t.metres.as_deref().map(pick) },
                )
            })
            .collect();
        Ok(TravelMatrix { points: ids.to_vec(), index: point_index(ids)?, modes })
    }
}

/// The JSON Schema of the matrix file.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(MatrixJson)).unwrap_or_default()
}

fn point_index(points: &[String]) -> Result<HashMap<String, usize>, MatrixError> {
    check_points(points)?;
    let mut index = HashMap::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        if index.insert(p.clone(), i).is_some() {
            return Err(invalid(format!("points[{i}]"), format!("{p:?} is named twice")));
        }
    }
    Ok(index)
}

fn check_points(points: &[String]) -> Result<(), MatrixError> {
    if points.is_empty() {
        return Err(invalid("points", "must name at least one point"));
    }
    if points.len() > MAX_POINTS {
        return Err(invalid(
            "points",
            format!("{} points, more than the {MAX_POINTS} a matrix may have", points.len()),
        ));
    }
    if let Some(i) = points.iter().position(|p| p.trim().is_empty()) {
        return Err(invalid(format!("points[{i}]"), "must not be empty"));
    }
    Ok(())
}

/// Checks one mode's rows: `n` rows of `n` whole, finite, non-negative numbers or null; a
/// point to itself is 0 (or null, read as 0).
fn square(field: &str, points: &[String], rows: &Rows) -> Result<Vec<u32>, MatrixError> {
    let n = points.len();
    if rows.len() != n {
        return Err(invalid(
            field,
            format!("has {} rows, expected {n} (one per point)", rows.len()),
        ));
    }
    let mut out = Vec::with_capacity(n * n);
    for i in 0..n {
        let row = rows.row(i);
        if row.len() != n {
            return Err(invalid(
                format!("{field}[{i}]"),
                format!("row of {} has {} entries, expected {n}", points[i], row.len()),
            ));
        }
        for (j, &x) in row.iter().enumerate() {
            let at = || format!("{field}[{i}][{j}] ({} → {})", points[i], points[j]);
            out.push(match x {
                // null: no way (or, to itself, 0)
                x if x.is_nan() && i == j => 0,
                x if x.is_nan() => TravelMatrix::NONE,
                x if i == j && x != 0.0 => {
                    return Err(invalid(at(), format!("{x} from a point to itself, expected 0")))
                }
                x => whole(at, "value", x)?,
            });
        }
    }
    Ok(out)
}

/// A whole number of seconds or metres from `x`, or an error naming `field`.
fn whole(field: impl Fn() -> String, what: &str, x: f64) -> Result<u32, MatrixError> {
    if !x.is_finite() {
        return Err(invalid(field(), format!("{what} {x} is not a finite number")));
    }
    if x < 0.0 {
        return Err(invalid(field(), format!("{what} {x} must not be negative")));
    }
    if x > MAX_VALUE {
        return Err(invalid(field(), format!("{what} {x} is more than {MAX_VALUE}")));
    }
    Ok(x.round() as u32)
}

/// Travel as the crow flies, for a first look without roads: the ground distance times a
/// detour factor, at a speed per mode.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StraightLine {
    /// km/h on foot (default 4.5).
    #[serde(default = "walk_kmh")]
    pub walk_kmh: f64,
    /// km/h by e-bike (default 15).
    #[serde(default = "ebike_kmh")]
    pub ebike_kmh: f64,
    /// km/h by car (default 30).
    #[serde(default = "car_kmh")]
    pub car_kmh: f64,
    /// Road metres per metre on the ground (default 1.3).
    #[serde(default = "detour")]
    pub detour: f64,
}

fn walk_kmh() -> f64 {
    4.5
}
fn ebike_kmh() -> f64 {
    15.0
}
fn car_kmh() -> f64 {
    30.0
}
fn detour() -> f64 {
    1.3
}

impl Default for StraightLine {
    fn default() -> StraightLine {
        StraightLine {
            walk_kmh: walk_kmh(),
            ebike_kmh: ebike_kmh(),
            car_kmh: car_kmh(),
            detour: detour(),
        }
    }
}

impl StraightLine {
    /// Metres per second by `mode`.
    pub fn speed_ms(&self, mode: TravelMode) -> f64 {
        let kmh = match mode {
            TravelMode::Walk => self.walk_kmh,
            TravelMode::Ebike => self.ebike_kmh,
            TravelMode::Car => self.car_kmh,
        };
        kmh / 3.6
    }

    /// Speeds positive and finite, the detour at least 1.
    pub fn validate(&self, field: &str) -> Result<(), MatrixError> {
        for (name, kmh) in
            [("walk_kmh", self.walk_kmh), ("ebike_kmh", self.ebike_kmh), ("car_kmh", self.car_kmh)]
        {
            if !(kmh.is_finite() && kmh > 0.0 && kmh <= 200.0) {
                return Err(invalid(
                    format!("{field}.{name}"),
                    format!("{kmh} is not a speed between 0 and 200 km/h"),
                ));
            }
        }
        if !(self.detour.is_finite() && (1.0..=10.0).contains(&self.detour)) {
            return Err(invalid(
                format!("{field}.detour"),
                format!("{} is not a factor between 1 and 10", self.detour),
            ));
        }
        Ok(())
    }

    /// Seconds and metres over `ground_m` metres on the ground by `mode`.
    pub fn leg(&self, mode: TravelMode, ground_m: f64) -> (i64, i64) {
        let metres = ground_m * self.detour;
        ((metres / self.speed_ms(mode)).round() as i64, metres.round() as i64)
    }
}

#[cfg(test)]
mod tests;
