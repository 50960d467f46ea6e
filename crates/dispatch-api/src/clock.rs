//! The service's clock: local date and seconds from local midnight, in the stations' time
//! zone (China Standard Time by default). Tests set it by hand; a demo runs it from a chosen
//! time of day so the day can be followed whenever it is tried.

use crate::date::PlanDate;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// China Standard Time, UTC+8, where the stations are.
pub const CHINA_UTC_OFFSET_S: i64 = 8 * 3600;

#[derive(Clone, Debug)]
enum Source {
    System {
        utc_offset_s: i64,
    },
    /// Local seconds since 1970-01-01 00:00, moved only by [`Clock::set`].
    Fixed(Arc<AtomicI64>),
    /// Local seconds at `since`, running on from there.
    Running {
        base: i64,
        since: Instant,
    },
}

#[derive(Clone, Debug)]
pub struct Clock(Source);

impl Clock {
    pub fn system(utc_offset_s: i64) -> Clock {
        Clock(Source::System { utc_offset_s })
    }

    /// A clock that stands at `seconds` after local midnight of `date` until set again.
    pub fn fixed(date: &PlanDate, seconds: i64) -> Clock {
        Clock(Source::Fixed(Arc::new(AtomicI64::new(date.days() * 86_400 + seconds))))
    }

    /// A clock that starts at `seconds` after local midnight of `date` and runs.
    pub fn running_from(date: &PlanDate, seconds: i64) -> Clock {
        Clock(Source::Running { base: date.days() * 86_400 + seconds, since: Instant::now() })
    }

    /// Moves a hand-set clock; other clocks ignore it.
    pub fn set(&self, date: &PlanDate, seconds: i64) {
        if let Source::Fixed(f) = &self.0 {
            f.store(date.days() * 86_400 + seconds, Ordering::SeqCst);
        }
    }

    /// Today's local date and the seconds since its midnight.
    pub fn now(&self) -> (PlanDate, i64) {
        let local = match &self.0 {
            Source::Fixed(f) => f.load(Ordering::SeqCst),
            Source::Running { base, since } => base + since.elapsed().as_secs() as i64,
            Source::System { utc_offset_s } => {
                let unix = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                unix + utc_offset_s
            }
        };
        (PlanDate::from_days(local.div_euclid(86_400)), local.rem_euclid(86_400))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clocks_move_only_when_set() {
        let date = PlanDate::parse("2026-11-25").unwrap();
        let clock = Clock::fixed(&date, 9 * 3600);
        assert_eq!(clock.now(), (date.clone(), 9 * 3600));
        clock.set(&date, 10 * 3600);
        assert_eq!(clock.now().1, 10 * 3600);
        let running = Clock::running_from(&date, 8 * 3600 + 1800);
        assert_eq!(running.now().0, date);
        assert!(running.now().1 >= 8 * 3600 + 1800);
    }
}
