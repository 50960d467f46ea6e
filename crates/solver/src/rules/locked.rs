//! Locked visits and moves, for re-planning a day that has begun: a visit that happened, is
//! under way or a dispatcher locked keeps its caregiver and start, and a lunch break that
//! started keeps its start; nothing else starts before now; absent caregivers take nothing
//! new; a visit served by someone else or moved by more than the tolerance costs a weight (a
//! soft term, priced with the route's others). The checker's twin is `locked`
//! (`check::check_kept`).

use crate::route::data::Data;

/// The state of a day that has begun, for [`Data::for_the_day`]; by visit and caregiver
/// index.
pub struct DayRules {
    pub was: Vec<Option<(u32, i64)>>,
    pub tolerance: i64,
    pub moved_weight: i64,
    pub locked: Vec<Option<u32>>,
    pub now: i64,
    pub closed: Vec<bool>,
}

impl Data {
    /// Whether caregiver `c` serving visit `v` at `start` moves it against the plan before a
    /// re-plan: it was someone else's, or started more than the tolerance apart.
    #[inline]
    pub fn moved(&self, c: usize, v: usize, start: i64) -> bool {
        match self.was.get(v) {
            Some(&Some((was_c, was_start))) => {
                was_c as usize != c || (start - was_start).abs() > self.tolerance
            }
            _ => false,
        }
    }

    /// Whether visit `v` is locked to its caregiver and start (see [`Data::for_the_day`]).
    #[inline]
    pub fn is_locked(&self, v: usize) -> bool {
        matches!(self.locked.get(v), Some(Some(_)))
    }

    /// The lunch breaks of a day that has begun: one that started (`taken[c]`, by caregiver)
    /// stays where it was; any other starts no earlier than `now`. Applied before the visits
    /// to keep are chosen, so that what is kept is timed as the re-planned day will be.
    pub fn breaks_for_the_day(&mut self, now: i64, taken: &[Option<i64>]) {
        for (c, lunch) in self.brk.iter_mut().enumerate() {
            if let Some((open, close, duration)) = *lunch {
                *lunch = Some(match taken.get(c).copied().flatten() {
                    Some(start) => (start, start, duration),
                    None => (open.max(now), close, duration),
                });
            }
        }
    }

    /// Turns the problem into the rest of a day that has begun (its lunch breaks already
    /// turned by [`Data::breaks_for_the_day`]): `day.locked` visits stay with their caregiver
    /// (their starts are the routes' pins), nothing else starts before `day.now`, caregivers
    /// in `day.closed` take nothing new, and serving a visit other than where and when
    /// `day.was` had it costs `day.moved_weight` (the re-plan moves as few visits as it can).
    pub fn for_the_day(&mut self, day: DayRules) {
        let n = self.n_visits;
        let mut win_from = Vec::with_capacity(n + 1);
        let mut windows = Vec::with_capacity(self.windows.len());
        for v in 0..n {
            win_from.push(windows.len());
            let open = self.windows(v).iter().copied();
            match day.locked.get(v).copied().flatten() {
                Some(_) => windows.extend(open),
                None => {
                    windows.extend(open.filter(|w| w.1 >= day.now).map(|w| (w.0.max(day.now), w.1)))
                }
            }
        }
        win_from.push(windows.len());
        (self.win_from, self.windows) = (win_from, windows);
        for c in 0..self.n_caregivers {
            for v in 0..n {
                let allowed = match day.locked.get(v).copied().flatten() {
                    Some(to) => to as usize == c,
                    None => !day.closed.get(c).copied().unwrap_or(false),
                };
                if !allowed {
                    self.can_serve[c * n + v] = false;
                }
            }
        }
        self.was = day.was;
        self.tolerance = day.tolerance;
        self.moved_weight = day.moved_weight;
        self.locked = day.locked;
        self.soft_route |= self.moved_weight > 0 && self.was.iter().any(Option::is_some);
        self.cg_class = self.classes();
    }

    /// Whether caregiver `c` had visits in the plan before a re-plan: then moving a visit to
    /// them or away is priced, and their route is like no other.
    pub(crate) fn had_visits(&self, c: usize) -> bool {
        self.was.iter().any(|w| w.is_some_and(|(was_c, _)| was_c as usize == c))
    }
}
