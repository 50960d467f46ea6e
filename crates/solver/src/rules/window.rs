//! Time windows: a visit starts inside one of its windows, as early as the arrival allows
//! (or exactly at its pin: a linked visit's start, fixed where its pair was placed; a
//! locked visit's, where it happened). Reason code `time_window`; the checker's twin is
//! `time_window` in `check::route`.

use crate::route::data::{Data, FREE};

impl Data {
    /// The windows of visit `v`.
    #[inline]
    pub fn windows(&self, v: usize) -> &[(i64, i64)] {
        &self.windows[self.win_from[v]..self.win_from[v + 1]]
    }

    /// The service start for an arrival at `arrival`: the earliest time in the first window
    /// that has not closed yet; `None` if every window has closed.
    #[inline]
    pub fn start_at(&self, v: usize, arrival: i64) -> Option<i64> {
        self.windows(v).iter().find(|w| w.1 >= arrival).map(|w| arrival.max(w.0))
    }

    /// As [`Data::start_at`] for a visit whose start may be `pin`ned (a linked visit's,
    /// fixed where its pair was placed): then service starts exactly then, if the arrival
    /// allows.
    #[inline]
    pub fn start_pinned(&self, v: usize, arrival: i64, pin: i64) -> Option<i64> {
        match pin {
            FREE => self.start_at(v, arrival),
            _ => (arrival <= pin).then_some(pin),
        }
    }

    /// As [`Data::latest_arrival_for`] for a visit whose start may be `pin`ned.
    #[inline]
    pub fn latest_arrival_pinned(&self, v: usize, latest_start: i64, pin: i64) -> Option<i64> {
        match pin {
            FREE => self.latest_arrival_for(v, latest_start),
            _ => (latest_start >= pin).then_some(pin),
        }
    }

    /// The latest arrival at `v` from which service can start no later than `latest_start`;
    /// `None` if no window opens by then. The feasible arrivals form a down-set because
    /// [`Data::start_at`] is monotone, so one number describes them.
    #[inline]
    pub fn latest_arrival_for(&self, v: usize, latest_start: i64) -> Option<i64> {
        self.windows(v).iter().rev().find(|w| w.0 <= latest_start).map(|w| w.1.min(latest_start))
    }
}
