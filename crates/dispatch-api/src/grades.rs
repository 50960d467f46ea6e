//! Quarterly team grades: a score out of 100 per team from measured parts — punctuality
//! against the windows, completion, check-in and check-out compliance, route adherence,
//! ratings and complaints — weighted, and graded A/B/C/D by thresholds. Weights, thresholds
//! and tolerances are configuration (`config/grades.json` is the default), not code. Each
//! score lists its parts with what they were measured on, so a team can see why; a part with
//! nothing to measure is left out and the others' weights scaled up.

use crate::error::AppError;
use crate::store::Store;
use crate::svg::escape;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The weights of the parts; any scale (they are normalised).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub punctuality: f64,
    pub completion: f64,
    pub check_compliance: f64,
    pub route_adherence: f64,
    pub ratings: f64,
    pub complaints: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub grade: String,
    /// The lowest score with this grade.
    pub min: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeConfig {
    pub weights: Weights,
    /// Best first; the last must start at 0.
    pub grades: Vec<Threshold>,
    /// A check-in this many minutes outside every window still counts as on time.
    pub grace_minutes: i64,
    /// A check-in farther than this from the client's home is not compliant.
    pub check_in_radius_m: f64,
    /// A rating of this many stars or fewer is a complaint.
    pub complaint_max_stars: i64,
}

/// The default configuration, as shipped.
pub const DEFAULT_CONFIG: &str = include_str!("../config/grades.json");

impl GradeConfig {
    /// Reads and checks a configuration; errors name the field.
    pub fn from_json(text: &str) -> Result<GradeConfig, AppError> {
        let c: GradeConfig =
            serde_json::from_str(text).map_err(|e| AppError::invalid("config", e.to_string()))?;
        let w = &c.weights;
        let weights = [
            w.punctuality,
            w.completion,
            w.check_compliance,
            w.route_adherence,
            w.ratings,
            w.complaints,
        ];
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.iter().sum::<f64>() <= 0.0
        {
            return Err(AppError::invalid("weights", "must be 0 or more, and not all 0"));
        }
        if c.grades.is_empty() || c.grades.windows(2).any(|g| g[0].min <= g[1].min) {
            return Err(AppError::invalid("grades", "must be listed best first, minimums falling"));
        }
        if c.grades.last().is_some_and(|g| g.min != 0.0) {
            return Err(AppError::invalid("grades", "the last grade must start at 0"));
        }
        if c.grace_minutes < 0 {
            return Err(AppError::invalid("grace_minutes", "must be 0 or more"));
        }
        if !(c.check_in_radius_m.is_finite() && c.check_in_radius_m > 0.0) {
            return Err(AppError::invalid(
                "check_in_radius_m",
                "must be a positive number of metres",
            ));
        }
        Ok(c)
    }

    pub fn default_config() -> GradeConfig {
        // The shipped file is checked by a unit test; a broken one is a build defect.
        GradeConfig::from_json(DEFAULT_CONFIG).unwrap_or_else(|e| panic!("config/grades.json: {e}"))
    }

    fn grade(&self, score: f64) -> String {
        self.grades.iter().find(|g| score >= g.min).map_or("-".into(), |g| g.grade.clone())
    }
}

/// A quarter, `2026Q3`, as its first and last day (`YYYY-MM-DD`; days compare as text).
pub fn quarter_days(quarter: &str) -> Result<(String, String), AppError> {
    let bad = || AppError::invalid("quarter", "must be a year and quarter, like 2026Q3");
    let (year, q) = quarter.split_once(['Q', 'q']).ok_or_else(bad)?;
    let year: u32 = year.parse().ok().filter(|_| year.len() == 4).ok_or_else(bad)?;
    let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q)).ok_or_else(bad)?;
    let first = (q - 1) * 3 + 1;
    Ok((format!("{year}-{first:02}-01"), format!("{year}-{:02}-31", first + 2)))
}

/// What happened to one planned visit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VisitRecord {
    pub visit: String,
    /// Who served it (who checked in), else who was planned.
    pub caregiver: String,
    pub date: String,
    /// The windows its start had to fall in, seconds from midnight.
    pub windows: Vec<(i64, i64)>,
    pub check_in: Option<i64>,
    /// How far from the client's home the check-in was reported, in metres.
    pub check_in_distance_m: Option<f64>,
    pub check_out: Option<i64>,
    /// A `no_check_out` alert was raised for it.
    pub late_check_out: bool,
    pub stars: Option<i64>,
}

/// A quarter's records.
#[derive(Clone, Debug, Default)]
pub struct Quarter {
    pub visits: Vec<VisitRecord>,
    /// (caregiver, day) with a route-deviation alert.
    pub deviations: HashSet<(String, String)>,
}

/// One measured part of a score.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Part {
    pub name: &'static str,
    pub weight: f64,
    /// 0 to 1; `None` when there was nothing to measure.
    pub value: Option<f64>,
    /// What the value is a share of, in words a team reads.
    pub measured: String,
    /// Points this part gave out of 100.
    pub points: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TeamScore {
    pub team: String,
    pub visits: usize,
    pub score: f64,
    pub grade: String,
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub quarter: String,
    pub teams: Vec<TeamScore>,
    pub config: GradeConfig,
}

fn share(hits: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| hits as f64 / of as f64)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// One team's score from its visits.
fn score_team(
    team: &str,
    visits: &[&VisitRecord],
    quarter: &Quarter,
    c: &GradeConfig,
) -> TeamScore {
    let grace = c.grace_minutes * 60;
    let started: Vec<&&VisitRecord> = visits.iter().filter(|v| v.check_in.is_some()).collect();
    let on_time = started
        .iter()
        .filter(|v| {
            let at = v.check_in.unwrap_or_default();
            v.windows.iter().any(|&(s, e)| s - grace <= at && at <= e + grace)
        })
        .count();
    let finished = visits.iter().filter(|v| v.check_out.is_some()).count();
    let at_home = |v: &VisitRecord| v.check_in_distance_m.is_some_and(|d| d <= c.check_in_radius_m);
    let compliant =
        started.iter().filter(|v| at_home(v) && v.check_out.is_some() && !v.late_check_out).count();
    let days: HashSet<(String, String)> =
        visits.iter().map(|v| (v.caregiver.clone(), v.date.clone())).collect();
    let kept_to_route = days.iter().filter(|d| !quarter.deviations.contains(*d)).count();
    let stars: Vec<i64> = visits.iter().filter_map(|v| v.stars).collect();
    let mean = (!stars.is_empty())
        .then(|| (stars.iter().sum::<i64>() as f64 / stars.len() as f64 - 1.0) / 4.0);
    let happy = stars.iter().filter(|&&s| s > c.complaint_max_stars).count();
    let w = &c.weights;
    let mut parts = vec![
        (
            "punctuality",
            w.punctuality,
            share(on_time, started.len()),
            format!("{on_time} of {} check-ins within a window", started.len()),
        ),
        (
            "completion",
            w.completion,
            share(finished, visits.len()),
            format!("{finished} of {} planned visits finished", visits.len()),
        ),
        (
            "check_compliance",
            w.check_compliance,
            share(compliant, started.len()),
            format!(
                "{compliant} of {} started visits checked in at the home and out in time",
                started.len()
            ),
        ),
        (
            "route_adherence",
            w.route_adherence,
            share(kept_to_route, days.len()),
            format!("{kept_to_route} of {} working days without a route deviation", days.len()),
        ),
        (
            "ratings",
            w.ratings,
            mean,
            format!(
                "{} ratings, mean {}",
                stars.len(),
                mean.map_or("-".into(), |m| format!("{:.2} stars", m * 4.0 + 1.0))
            ),
        ),
        (
            "complaints",
            w.complaints,
            share(happy, stars.len()),
            format!("{} of {} ratings above {} stars", happy, stars.len(), c.complaint_max_stars),
        ),
    ]
    .into_iter()
    .map(|(name, weight, value, measured)| Part { name, weight, value, measured, points: 0.0 })
    .collect::<Vec<_>>();
    let measured_weight: f64 = parts.iter().filter(|p| p.value.is_some()).map(|p| p.weight).sum();
    for p in &mut parts {
        if let (Some(v), true) = (p.value, measured_weight > 0.0) {
            p.points = round(100.0 * p.weight / measured_weight * v, 2);
            p.value = Some(round(v, 4));
        }
    }
    let score = round(parts.iter().map(|p| p.points).sum(), 1);
    TeamScore { team: team.into(), visits: visits.len(), score, grade: c.grade(score), parts }
}

/// The grades of every team with visits in the quarter (caregivers without a team under
/// `no_team`), best first.
pub fn grade_teams(
    quarter_name: &str,
    quarter: &Quarter,
    teams: &HashMap<String, String>,
    no_team: &str,
    c: &GradeConfig,
) -> Report {
    let mut by_team: BTreeMap<&str, Vec<&VisitRecord>> = BTreeMap::new();
    for v in &quarter.visits {
        let team = teams.get(&v.caregiver).map_or(no_team, String::as_str);
        by_team.entry(team).or_default().push(v);
    }
    let mut scores: Vec<TeamScore> =
        by_team.iter().map(|(team, visits)| score_team(team, visits, quarter, c)).collect();
    scores.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.team.cmp(&b.team)));
    Report { quarter: quarter_name.into(), teams: scores, config: c.clone() }
}

/// Who has no team in the report.
pub const NO_TEAM: &str = "(no team)";

/// The report of `quarter` (`2026Q3`) from what the service stored.
pub async fn report(
    store: &Store,
    quarter: &str,
    config: &GradeConfig,
) -> Result<Report, AppError> {
    let (first, last) = quarter_days(quarter)?;
    let records = store.quarter_records(&first, &last).await?;
    let teams = store.teams_of_caregivers(None).await?;
    Ok(grade_teams(quarter, &records, &teams, NO_TEAM, config))
}

/// Colours of the parts in the chart, in the parts' order.
const PART_COLOURS: [&str; 6] = ["#1d6fb8", "#1e7b34", "#8a5a00", "#6a3d9a", "#b3261e", "#00838f"];

/// The report as a picture: one bar per team, its points stacked by part, the score and the
/// grade at its end, the grade thresholds as lines.
pub fn to_svg(report: &Report) -> String {
    let (left, bar_w, row_h, top) = (160.0, 600.0, 28.0, 56.0);
    let height = top + row_h * report.teams.len() as f64 + 70.0;
    let width = left + bar_w + 110.0;
    let x = |points: f64| left + bar_w * points / 100.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n\
         <text x=\"{left}\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Team grades {}</text>\n",
        escape(&report.quarter)
    );
    for g in &report.config.grades {
        out.push_str(&format!(
            "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#999\" stroke-dasharray=\"3 3\"/>\
             <text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#555\">{4} ≥ {5}</text>\n",
            x(g.min),
            top - 8.0,
            top + row_h * report.teams.len() as f64,
            top - 12.0,
            escape(&g.grade),
            g.min
        ));
    }
    for (i, t) in report.teams.iter().enumerate() {
        let y = top + row_h * i as f64;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            left - 8.0,
            y + row_h * 0.65,
            escape(&t.team)
        ));
        let mut at = 0.0;
        for (p, colour) in t.parts.iter().zip(PART_COLOURS) {
            if p.points > 0.0 {
                out.push_str(&format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\">\
                     <title>{}: {:.1} points ({})</title></rect>\n",
                    x(at),
                    y + 4.0,
                    x(at + p.points) - x(at),
                    row_h - 8.0,
                    p.name,
                    p.points,
                    escape(&p.measured)
                ));
                at += p.points;
            }
        }
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\">{:.1} {}</text>\n",
            x(at) + 6.0,
            y + row_h * 0.65,
            t.score,
            escape(&t.grade)
        ));
    }
    let legend_y = top + row_h * report.teams.len() as f64 + 30.0;
    for (i, (name, colour)) in [
        "punctuality",
        "completion",
        "check compliance",
        "route adherence",
        "ratings",
        "complaints",
    ]
    .iter()
    .zip(PART_COLOURS)
    .enumerate()
    {
        let lx = left + (i % 3) as f64 * 200.0;
        let ly = legend_y + (i / 3) as f64 * 18.0;
        out.push_str(&format!(
            "<rect x=\"{lx}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{ly}\">{name}</text>\n",
            ly - 10.0,
            lx + 16.0
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(
        caregiver: &str,
        date: &str,
        check_in: Option<i64>,
        check_out: Option<i64>,
        stars: Option<i64>,
    ) -> VisitRecord {
        VisitRecord {
            visit: format!("{caregiver}-{date}-{check_in:?}"),
            caregiver: caregiver.into(),
            date: date.into(),
            windows: vec![(9 * 3600, 10 * 3600)],
            check_in,
            check_in_distance_m: check_in.map(|_| 40.0),
            check_out,
            late_check_out: false,
            stars,
        }
    }

    #[test]
    fn the_shipped_configuration_is_valid() {
        let c = GradeConfig::default_config();
        assert_eq!(c.grades.first().map(|g| g.grade.as_str()), Some("A"));
    }

    #[test]
    fn a_team_scores_what_it_did() {
        // T1: two visits, both on time and finished, rated 5 and 1; one deviation day of two.
        // T2: one visit never started.
        let quarter = Quarter {
            visits: vec![
                visit("C1", "2026-07-01", Some(9 * 3600 + 600), Some(10 * 3600), Some(5)),
                visit("C1", "2026-07-02", Some(10 * 3600 + 300), Some(11 * 3600), Some(1)),
                visit("C2", "2026-07-01", None, None, None),
            ],
            deviations: [("C1".to_string(), "2026-07-02".to_string())].into(),
        };
        let teams: HashMap<String, String> =
            [("C1".into(), "T1".into()), ("C2".into(), "T2".into())].into();
        let c = GradeConfig::default_config();
        let r = grade_teams("2026Q3", &quarter, &teams, "none", &c);
        let t1 = &r.teams[0];
        assert_eq!(t1.team, "T1");
        let value = |name: &str| t1.parts.iter().find(|p| p.name == name).and_then(|p| p.value);
        assert_eq!(value("punctuality"), Some(1.0), "10:05 is within the 10-minute grace");
        assert_eq!(value("completion"), Some(1.0));
        assert_eq!(value("check_compliance"), Some(1.0));
        assert_eq!(value("route_adherence"), Some(0.5));
        assert_eq!(value("ratings"), Some(0.5), "mean 3 stars");
        assert_eq!(value("complaints"), Some(0.5));
        // 25 + 25 + 15 + 10·0.5 + 15·0.5 + 10·0.5 = 82.5
        assert_eq!((t1.score, t1.grade.as_str()), (82.5, "B"));
        // T2 started nothing: completion 0; the parts about check-ins and ratings are not
        // measured and the rest is scaled: completion 25 and route 10 of 35.
        let t2 = &r.teams[1];
        assert_eq!(t2.parts.iter().filter(|p| p.value.is_none()).count(), 4);
        assert_eq!((t2.score, t2.grade.as_str()), (28.6, "D"));
        let svg = to_svg(&r);
        assert!(svg.starts_with("<svg") && svg.contains("82.5 B") && svg.contains("28.6 D"));
    }

    #[test]
    fn configurations_and_quarters_are_checked() {
        let bad = DEFAULT_CONFIG.replace("\"min\": 0", "\"min\": 5");
        assert!(GradeConfig::from_json(&bad).is_err());
        let negative = DEFAULT_CONFIG.replace("\"punctuality\": 25", "\"punctuality\": -1");
        assert!(GradeConfig::from_json(&negative).is_err());
        assert_eq!(
            quarter_days("2026Q3").ok(),
            Some(("2026-07-01".to_string(), "2026-09-31".to_string()))
        );
        for q in ["2026Q5", "2026", "26Q1", "2026Q0", "Q3"] {
            assert!(quarter_days(q).is_err(), "{q}");
        }
    }
}
