//! The plan day, `YYYY-MM-DD`: parsed once at the edge, then trusted; and times of day as
//! people read them.

use crate::error::AppError;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PlanDate(String);

impl schemars::JsonSchema for PlanDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PlanDate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "A day of the stations' calendar, YYYY-MM-DD, years 2000 to 2199",
        })
    }
}

impl PlanDate {
    /// Accepts a real calendar date between 2000 and 2199.
    pub fn parse(text: &str) -> Result<PlanDate, String> {
        let bad = || format!("{text:?} is not a date of the form YYYY-MM-DD");
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts.as_slice() else { return Err(bad()) };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad());
        };
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("{text:?}: month {m} does not exist")),
        };
        if !(1..=days).contains(&d) {
            return Err(format!("{text:?}: day {d} does not exist in that month"));
        }
        if !(2000..2200).contains(&y) {
            return Err(format!("{text:?}: year must be between 2000 and 2199"));
        }
        Ok(PlanDate(text.to_string()))
    }

    /// Parses a request field, naming it in the error.
    pub fn field(field: &str, text: &str) -> Result<PlanDate, AppError> {
        PlanDate::parse(text).map_err(|reason| AppError::invalid(field, reason))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its month, `YYYY-MM`.
    pub fn month(&self) -> &str {
        self.0.get(..7).unwrap_or(&self.0)
    }

    /// Its quarter, `2026Q4`.
    pub fn quarter(&self) -> String {
        let (y, m, _) = self.ymd();
        format!("{y}Q{}", (m - 1) / 3 + 1)
    }

    fn ymd(&self) -> (i64, i64, i64) {
        // Parsed on the way in, so the three parts are numbers.
        let mut parts = self.0.split('-').map(|p| p.parse::<i64>().unwrap_or(1));
        let mut next = || parts.next().unwrap_or(1);
        (next(), next(), next())
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days(&self) -> i64 {
        let (y, m, d) = self.ymd();
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (civil_from_days).
    pub fn from_days(days: i64) -> PlanDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        PlanDate(format!("{y:04}-{m:02}-{d:02}"))
    }

    /// Monday 0 to Sunday 6.
    pub fn weekday(&self) -> u8 {
        // 1970-01-01 was a Thursday.
        ((self.days() + 3).rem_euclid(7)) as u8
    }
}

impl<'de> Deserialize<'de> for PlanDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PlanDate, D::Error> {
        let s = String::deserialize(d)?;
        PlanDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for PlanDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `HH:MM` of seconds from midnight (past midnight runs on: `25:30`).
pub fn clock_time(seconds: i64) -> String {
    format!("{:02}:{:02}", seconds / 3600, (seconds % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_dates_only() {
        assert!(PlanDate::parse("2026-11-25").is_ok());
        assert!(PlanDate::parse("2028-02-29").is_ok());
        for bad in
            ["2026-02-29", "2026-13-01", "2026-1-01", "26-11-25", "2026-11-25x", "", "2026-04-31"]
        {
            assert!(PlanDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_round_trip() {
        for text in ["2000-01-01", "2000-02-29", "2026-11-25", "2199-12-31"] {
            let d = PlanDate::parse(text).unwrap();
            assert_eq!(PlanDate::from_days(d.days()), d);
        }
        assert_eq!(PlanDate::from_days(0).as_str(), "1970-01-01");
        assert_eq!(PlanDate::parse("2000-01-01").unwrap().days(), 10_957);
        // 2026-11-25 is a Wednesday.
        assert_eq!(PlanDate::parse("2026-11-25").unwrap().weekday(), 2);
    }
}
