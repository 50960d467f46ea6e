//! The service's clock: local date and seconds from local midnight, in the stations' time
//! zone (China Standard Time by default). Tests set it by hand.

use crate::date::PlanDate;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// China Standard Time, UTC+8, where the stations are.
pub const CHINA_UTC_OFFSET_S: i64 = 8 * 3600;

#[derive(Clone, Debug)]
pub struct Clock {
    utc_offset_s: i64,
    /// Local seconds since 1970-01-01 00:00 when the clock is set by hand.
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system(utc_offset_s: i64) -> Clock {
        Clock { utc_offset_s, fixed: None }
    }

    /// A clock that stands at `seconds` after local midnight of `date` until set again.
    pub fn fixed(date: &PlanDate, seconds: i64) -> Clock {
        Clock {
            utc_offset_s: 0,
            fixed: Some(Arc::new(AtomicI64::new(date.days() * 86_400 + seconds))),
        }
    }

    /// Moves a hand-set clock; a system clock ignores it.
    pub fn set(&self, date: &PlanDate, seconds: i64) {
        if let Some(f) = &self.fixed {
            f.store(date.days() * 86_400 + seconds, Ordering::SeqCst);
        }
    }

    /// Today's local date and the seconds since its midnight.
    pub fn now(&self) -> (PlanDate, i64) {
        let local = match &self.fixed {
            Some(f) => f.load(Ordering::SeqCst),
            None => {
                let unix = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                unix + self.utc_offset_s
            }
        };
        (PlanDate::from_days(local.div_euclid(86_400)), local.rem_euclid(86_400))
    }
}
