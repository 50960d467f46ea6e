//! What a visit may ask for, one set of rules for scenario visits, care packages and the
//! service's orders, with the same messages everywhere: a duration of 1 s to 12 h, 1 to 8
//! time windows inside the 48 hours from the plan day's midnight, sorted and apart, and a
//! priority up to 100.

use solver::model::{Seconds, TimeWindow};

pub const MIN_DURATION: i64 = 1;
pub const MAX_DURATION: i64 = 12 * 3600;
/// Windows may run past midnight into the next day.
pub const MAX_TIME: i64 = 2 * 86_400;
pub const MAX_WINDOWS: usize = 8;
pub const MAX_PRIORITY: u32 = 100;

/// The field (relative: `duration`, `windows[2]`, `priority`) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: String,
    pub reason: String,
}

fn err(field: impl Into<String>, reason: impl Into<String>) -> Result<(), RuleError> {
    Err(RuleError { field: field.into(), reason: reason.into() })
}

/// Checks a visit's duration, windows and priority.
pub fn check(duration: Seconds, windows: &[TimeWindow], priority: u32) -> Result<(), RuleError> {
    if !(MIN_DURATION..=MAX_DURATION).contains(&duration.0) {
        return err(
            "duration",
            format!("must be between {MIN_DURATION} and {MAX_DURATION} seconds (12 hours)"),
        );
    }
    if windows.is_empty() {
        return err("windows", "needs at least one time window");
    }
    if windows.len() > MAX_WINDOWS {
        return err(
            "windows",
            format!("has {} time windows, at most {MAX_WINDOWS}", windows.len()),
        );
    }
    for (i, w) in windows.iter().enumerate() {
        let field = format!("windows[{i}]");
        if w.start.0 < 0 || w.end.0 > MAX_TIME {
            return err(field, format!("must lie between 0 and {MAX_TIME} seconds from midnight"));
        }
        if w.start > w.end {
            return err(field, format!("starts ({}) after it ends ({})", w.start.0, w.end.0));
        }
        if i > 0 && windows[i - 1].end >= w.start {
            return err(field, "windows must be sorted and must not overlap");
        }
    }
    if priority > MAX_PRIORITY {
        return err("priority", format!("must be at most {MAX_PRIORITY}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(a: i64, b: i64) -> TimeWindow {
        TimeWindow::new(Seconds(a), Seconds(b))
    }

    #[test]
    fn the_rules_name_the_field() {
        let ok = [w(0, 10)];
        assert!(check(Seconds(60), &ok, 1).is_ok());
        let field = |r: Result<(), RuleError>| r.err().map(|e| e.field).unwrap_or_default();
        assert_eq!(field(check(Seconds(0), &ok, 1)), "duration");
        assert_eq!(field(check(Seconds(43_201), &ok, 1)), "duration");
        assert_eq!(field(check(Seconds(60), &[], 1)), "windows");
        assert_eq!(field(check(Seconds(60), &[w(0, 10); 9], 1)), "windows");
        assert_eq!(field(check(Seconds(60), &[w(0, 10), w(5, 20)], 1)), "windows[1]");
        assert_eq!(field(check(Seconds(60), &[w(0, 172_801)], 1)), "windows[0]");
        assert_eq!(field(check(Seconds(60), &ok, 101)), "priority");
    }
}
