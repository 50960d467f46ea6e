//! The service-hour ledger: every finished visit (checked in and checked out) books its real
//! duration to its client, its caregiver, the caregiver's team, its station and its month.
//! The bookings are read from the check-ins themselves, one per visit, so a re-plan or a
//! repeated check-out cannot book an hour twice; the figures are what a programme reports:
//! visits, service hours, clients served, hours by service, and each client's hours against
//! their monthly entitlement. A two-caregiver order books each caregiver's working hours for
//! their part (by caregiver, by team), and the client's service once (by client, station and
//! month: the first part that finished).

use crate::error::AppError;
use crate::store::Store;
use crate::svg::escape;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One finished visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub visit: String,
    /// The order it served (the visit's own id, or a two-caregiver order of two parts).
    pub order: String,
    pub client: String,
    pub caregiver: String,
    pub station: String,
    /// The visit's day, `YYYY-MM-DD`.
    pub date: String,
    pub service: String,
    /// Check-out minus check-in.
    pub seconds: i64,
}

/// What the ledger's rows are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Client,
    Caregiver,
    Team,
    Station,
    Month,
}

impl GroupBy {
    pub const ALL: [GroupBy; 5] =
        [GroupBy::Client, GroupBy::Caregiver, GroupBy::Team, GroupBy::Station, GroupBy::Month];

    pub fn parse(text: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Client => "client",
            GroupBy::Caregiver => "caregiver",
            GroupBy::Team => "team",
            GroupBy::Station => "station",
            GroupBy::Month => "month",
        }
    }
}

/// A month, `YYYY-MM`, checked.
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (y, m) = text.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// The months from `from` to `to`, both included.
pub fn months_between(from: (i32, u32), to: (i32, u32)) -> usize {
    let index = |(y, m): (i32, u32)| i64::from(y) * 12 + i64::from(m);
    usize::try_from(index(to) - index(from) + 1).unwrap_or(0)
}

/// The team a caregiver works in, where there is one.
pub type Teams = HashMap<String, String>;

/// One row: a client, caregiver, team, station or month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Tally {
    pub key: String,
    pub visits: u64,
    /// Exact: the sum of the bookings' seconds.
    pub seconds: i64,
    pub hours: f64,
    pub clients_served: u64,
    /// Hours per service kind.
    pub hours_by_service: BTreeMap<String, f64>,
    /// For clients with an entitlement: their monthly hours times the months reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitled_hours: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Ledger {
    pub from: String,
    pub to: String,
    pub by: GroupBy,
    pub rows: Vec<Tally>,
    pub totals: Tally,
}

/// Who has no team in a by-team ledger.
pub const NO_TEAM: &str = "(no team)";

fn hours(seconds: i64) -> f64 {
    (seconds as f64 / 36.0).round() / 100.0
}

#[derive(Default)]
struct Sum {
    visits: u64,
    seconds: i64,
    clients: BTreeSet<String>,
    by_service: BTreeMap<String, i64>,
}

impl Sum {
    fn add(&mut self, b: &Booking) {
        self.visits += 1;
        self.seconds += b.seconds;
        self.clients.insert(b.client.clone());
        *self.by_service.entry(b.service.clone()).or_default() += b.seconds;
    }

    fn tally(self, key: String) -> Tally {
        Tally {
            key,
            visits: self.visits,
            seconds: self.seconds,
            hours: hours(self.seconds),
            clients_served: self.clients.len() as u64,
            hours_by_service: self.by_service.into_iter().map(|(s, v)| (s, hours(v))).collect(),
            entitled_hours: None,
        }
    }
}

/// The ledger of `bookings` by `by`, rows in key order. `entitlements` are clients' monthly
/// hours; `months` how many months the bookings span.
pub fn tally(
    bookings: &[Booking],
    by: GroupBy,
    teams: &Teams,
    entitlements: &HashMap<String, f64>,
    (from, to): (&str, &str),
) -> Ledger {
    let months = match (parse_month(from), parse_month(to)) {
        (Some(f), Some(t)) => months_between(f, t) as f64,
        _ => 1.0,
    };
    let mut groups: BTreeMap<String, Sum> = BTreeMap::new();
    let mut all = Sum::default();
    // Working hours count every caregiver's part; the client's service counts once.
    let per_part = matches!(by, GroupBy::Caregiver | GroupBy::Team);
    let mut booked: BTreeSet<&str> = BTreeSet::new();
    for b in bookings {
        if !per_part && !booked.insert(&b.order) {
            continue;
        }
        let key = match by {
            GroupBy::Client => b.client.clone(),
            GroupBy::Caregiver => b.caregiver.clone(),
            GroupBy::Team => teams.get(&b.caregiver).cloned().unwrap_or_else(|| NO_TEAM.into()),
            GroupBy::Station => b.station.clone(),
            GroupBy::Month => b.date.get(..7).unwrap_or(&b.date).to_string(),
        };
        groups.entry(key).or_default().add(b);
        all.add(b);
    }
    let rows = groups
        .into_iter()
        .map(|(key, sum)| {
            let entitled = (by == GroupBy::Client)
                .then(|| entitlements.get(&key).map(|h| h * months))
                .flatten();
            Tally { entitled_hours: entitled, ..sum.tally(key) }
        })
        .collect();
    Ledger { from: from.into(), to: to.into(), by, rows, totals: all.tally("total".into()) }
}

/// A period of whole months, checked: `from` and `to` as `YYYY-MM`, `to` not before `from`.
pub struct Period {
    pub from: String,
    pub to: String,
}

impl Period {
    pub fn parse(from: &str, to: &str) -> Result<Period, AppError> {
        let month = |field: &str, text: &str| {
            parse_month(text).ok_or_else(|| AppError::invalid(field, "must be a month, YYYY-MM"))
        };
        let n = months_between(month("from", from)?, month("to", to)?);
        if n == 0 {
            return Err(AppError::invalid("to", "must not be before from"));
        }
        if n > MAX_MONTHS {
            return Err(AppError::invalid("to", format!("at most {MAX_MONTHS} months from from")));
        }
        Ok(Period { from: from.into(), to: to.into() })
    }
}

/// The longest period a ledger covers.
const MAX_MONTHS: usize = 120;

/// The ledger of `period` by `by`, from the stored check-ins of `stations` (all when `None`).
pub async fn read(
    store: &Store,
    period: &Period,
    by: GroupBy,
    stations: Option<&[String]>,
) -> Result<Ledger, AppError> {
    // Days compare as text; every month's days sort at or before its "31".
    let (first, last) = (format!("{}-01", period.from), format!("{}-31", period.to));
    let bookings = store.finished_visits(&first, &last, stations).await?;
    let teams = match by {
        GroupBy::Team => store.teams_of_caregivers(stations).await?,
        _ => Teams::new(),
    };
    let entitlements = match by {
        GroupBy::Client => store.entitlements(stations).await?,
        _ => HashMap::new(),
    };
    Ok(tally(&bookings, by, &teams, &entitlements, (&period.from, &period.to)))
}

/// The ledger as CSV: a header, one line per row, the totals last; one column per service.
pub fn to_csv(ledger: &Ledger) -> String {
    let services: BTreeSet<&String> = ledger.totals.hours_by_service.keys().collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec![ledger.by.as_str().to_string()];
    header.extend(["visits", "hours", "clients_served", "entitled_hours"].map(String::from));
    header.extend(services.iter().map(|s| format!("hours_{s}")));
    // Writing to memory cannot fail; a failure would only lose the line, never panic.
    let _ = out.write_record(&header);
    for t in ledger.rows.iter().chain(std::iter::once(&ledger.totals)) {
        let mut line = vec![
            t.key.clone(),
            t.visits.to_string(),
            format!("{:.2}", t.hours),
            t.clients_served.to_string(),
            t.entitled_hours.map(|h| format!("{h:.2}")).unwrap_or_default(),
        ];
        line.extend(
            services.iter().map(|s| format!("{:.2}", t.hours_by_service.get(*s).unwrap_or(&0.0))),
        );
        let _ = out.write_record(&line);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The most rows a ledger chart draws (the ones with the most hours); the CSV has them all.
const CHART_ROWS: usize = 40;

/// The ledger as a picture: a bar of hours per row (the 40 with most hours), and where a
/// client has an entitlement, a tick at it.
pub fn to_svg(ledger: &Ledger) -> String {
    let mut rows: Vec<&Tally> = ledger.rows.iter().collect();
    rows.sort_by(|a, b| b.seconds.cmp(&a.seconds).then_with(|| a.key.cmp(&b.key)));
    let shown = rows.len().min(CHART_ROWS);
    let most = rows
        .iter()
        .take(shown)
        .map(|r| r.hours.max(r.entitled_hours.unwrap_or(0.0)))
        .fold(1.0_f64, f64::max);
    let (left, bar_w, row_h, top) = (170.0, 520.0, 20.0, 50.0);
    let height = top + row_h * shown as f64 + 40.0;
    let x = |h: f64| left + bar_w * h / most;
    let mut title = format!(
        "Service hours {} to {}, by {} (total {:.1} h, {} visits)",
        ledger.from,
        ledger.to,
        ledger.by.as_str(),
        ledger.totals.hours,
        ledger.totals.visits
    );
    if rows.len() > shown {
        title.push_str(&format!("; the {shown} of {} with most hours", rows.len()));
    }
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n\
         <text x=\"10\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
        left + bar_w + 90.0,
        escape(&title)
    );
    for (i, r) in rows.iter().take(shown).enumerate() {
        let y = top + row_h * i as f64;
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#1d6fb8\">\
             <title>{} visits, {} clients</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\">{:.1} h</text>\n",
            left - 6.0,
            y + row_h * 0.7,
            escape(&r.key),
            y + 3.0,
            x(r.hours) - left,
            row_h - 6.0,
            r.visits,
            r.clients_served,
            x(r.hours) + 4.0,
            y + row_h * 0.7,
            r.hours
        ));
        if let Some(e) = r.entitled_hours {
            out.push_str(&format!(
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#b3261e\" stroke-width=\"2\">\
                 <title>entitled {e:.1} h</title></line>\n",
                x(e),
                y + 1.0,
                y + row_h - 1.0
            ));
        }
    }
    if rows.iter().take(shown).any(|r| r.entitled_hours.is_some()) {
        out.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{0}\" y1=\"{1:.1}\" y2=\"{1:.1}\" stroke=\"#b3261e\" stroke-width=\"2\"/>\
             <text x=\"{2}\" y=\"{3:.1}\">entitlement over the period</text>\n",
            left + 14.0,
            height - 18.0,
            left + 20.0,
            height - 14.0
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn booking(
        visit: &str,
        client: &str,
        caregiver: &str,
        date: &str,
        service: &str,
        s: i64,
    ) -> Booking {
        Booking {
            visit: visit.into(),
            order: visit.into(),
            client: client.into(),
            caregiver: caregiver.into(),
            station: if caregiver < "C5" { "S1".into() } else { "S2".into() },
            date: date.into(),
            service: service.into(),
            seconds: s,
        }
    }

    #[test]
    fn a_small_ledger_by_team_and_by_client() {
        let bookings = [
            booking("V1", "K1", "C1", "2026-11-03", "meal", 900),
            booking("V2", "K1", "C2", "2026-11-04", "cleaning", 3600),
            booking("V3", "K2", "C7", "2026-12-01", "bathing", 2700),
        ];
        let teams: Teams = [("C1".into(), "T1".into()), ("C2".into(), "T1".into())].into();
        let ledger =
            tally(&bookings, GroupBy::Team, &teams, &HashMap::new(), ("2026-11", "2026-12"));
        assert_eq!(ledger.rows.len(), 2);
        assert_eq!(ledger.rows[0].key, NO_TEAM);
        assert_eq!(ledger.rows[1].key, "T1");
        assert_eq!((ledger.rows[1].visits, ledger.rows[1].seconds), (2, 4500));
        assert_eq!(ledger.rows[1].clients_served, 1);
        assert_eq!(ledger.rows[1].hours_by_service["cleaning"], 1.0);
        assert_eq!(
            (ledger.totals.visits, ledger.totals.seconds, ledger.totals.clients_served),
            (3, 7200, 2)
        );

        let entitled: HashMap<String, f64> = [("K1".into(), 45.0)].into();
        let by_client =
            tally(&bookings, GroupBy::Client, &teams, &entitled, ("2026-11", "2026-12"));
        assert_eq!(by_client.rows[0].entitled_hours, Some(90.0), "45 h a month, two months");
        assert_eq!(by_client.rows[1].entitled_hours, None);
        let csv = to_csv(&by_client);
        assert_eq!(csv.lines().next(), Some("client,visits,hours,clients_served,entitled_hours,hours_bathing,hours_cleaning,hours_meal"));
        assert_eq!(csv.lines().nth(1), Some("K1,2,1.25,1,90.00,0.00,1.00,0.25"));
        assert_eq!(csv.lines().last(), Some("total,3,2.00,2,,0.75,1.00,0.25"));
        let svg = to_svg(&by_client);
        assert!(svg.starts_with("<svg") && svg.contains("K1") && svg.contains("entitled 90.0 h"));
    }

    #[test]
    fn months_are_checked() {
        assert_eq!(parse_month("2026-07"), Some((2026, 7)));
        for bad in ["2026-13", "2026-7", "26-07", "2026/07", "", "2026-00"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(months_between((2025, 11), (2026, 2)), 4);
    }

    proptest! {
        /// However they are grouped, the rows add up to the totals, and the totals to the
        /// bookings.
        #[test]
        fn rows_add_up_to_the_totals(
            raw in proptest::collection::vec((0usize..6, 0usize..8, 1u32..13, 0usize..6, 0i64..20_000), 0..60),
            by in 0usize..5,
        ) {
            let services = ["meal", "cleaning", "bathing", "escort", "medical", "personal_care"];
            let bookings: Vec<Booking> = raw.iter().enumerate().map(|(i, &(k, c, m, s, secs))| {
                booking(&format!("V{i}"), &format!("K{k}"), &format!("C{c}"), &format!("2026-{m:02}-15"), services[s], secs)
            }).collect();
            let teams: Teams = (0..4).map(|c| (format!("C{c}"), format!("T{}", c % 2))).collect();
            let ledger = tally(&bookings, GroupBy::ALL[by], &teams, &HashMap::new(), ("2026-01", "2026-12"));
            prop_assert_eq!(ledger.totals.seconds, bookings.iter().map(|b| b.seconds).sum::<i64>());
            prop_assert_eq!(ledger.totals.visits, bookings.len() as u64);
            prop_assert_eq!(ledger.rows.iter().map(|r| r.seconds).sum::<i64>(), ledger.totals.seconds);
            prop_assert_eq!(ledger.rows.iter().map(|r| r.visits).sum::<u64>(), ledger.totals.visits);
            if GroupBy::ALL[by] == GroupBy::Client {
                prop_assert!(ledger.rows.iter().all(|r| r.clients_served == 1));
            }
        }
    }
}
