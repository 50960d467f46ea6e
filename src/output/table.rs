//! The short KPI table printed after a solve.

use solver::{Plan, ReasonCode};
use std::collections::BTreeMap;
use std::fmt::Write;

/// `h:mm` for a number of seconds (negative values keep their sign).
pub fn hm(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    format!("{sign}{}:{:02}", s / 3600, (s % 3600) / 60)
}

/// The KPI table of a home-care plan.
pub fn kpi_table(plan: &Plan, caregivers_available: usize) -> String {
    let k = &plan.kpis;
    let mut out = String::new();
    let row = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {label:<28} {value}");
    };
    let _ = writeln!(out, "plan {}", plan.problem);
    row(&mut out, "visits served", format!("{} of {}", k.visits_served, k.visits_total));
    row(&mut out, "visits unassigned", k.visits_unassigned.to_string());
    let mut reasons: BTreeMap<ReasonCode, usize> = BTreeMap::new();
    for u in &plan.unassigned {
        *reasons.entry(u.reason).or_default() += 1;
    }
    for (reason, n) in reasons {
        row(&mut out, &format!("  {reason}"), format!("{n}  ({})", reason.describe()));
    }
    row(&mut out, "caregivers used", format!("{} of {}", k.caregivers_used, caregivers_available));
    row(&mut out, "travel time (h:mm)", hm(k.travel_time.0));
    row(&mut out, "travel distance", format!("{:.1} km", k.travel_distance.0 as f64 / 1000.0));
    row(&mut out, "working time (h:mm)", hm(k.working_time.0));
    let limit = k.max_leg_limit.map(|l| hm(l.0)).unwrap_or_else(|| "none".into());
    row(&mut out, "longest leg / circle limit", format!("{} / {}", hm(k.longest_leg.0), limit));
    row(
        &mut out,
        "lateness total / latest",
        format!("{} / {}", hm(k.lateness_total.0), hm(k.lateness_max.0)),
    );
    row(&mut out, "visits off continuity", k.non_preferred_visits.to_string());
    row(&mut out, "overtime (h:mm)", hm(k.overtime.0));
    let f = &k.fairness;
    row(
        &mut out,
        "working day min-max (spread)",
        format!(
            "{} - {} ({}, sd {})",
            hm(f.working_min.0),
            hm(f.working_max.0),
            hm(f.working_spread.0),
            hm(f.working_stddev.0)
        ),
    );
    row(&mut out, "visits per caregiver", format!("{} - {}", f.visits_min, f.visits_max));
    if let Some(m) = &k.meals {
        row(&mut out, "meals delivered / rounds", format!("{} / {}", m.delivered, m.rounds));
        row(
            &mut out,
            "meal ride mean / max (m:ss)",
            format!("{} / {}", ms(m.ride_mean.0), ms(m.ride_max.0)),
        );
    }
    out
}

/// `m:ss` for a number of seconds.
fn ms(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
