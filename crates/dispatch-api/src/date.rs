//! The plan day, `YYYY-MM-DD`: parsed once at the edge, then trusted.

use crate::error::AppError;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PlanDate(String);

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
}
