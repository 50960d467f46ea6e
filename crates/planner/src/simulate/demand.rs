//! Days of demand for the staffing simulation. Until care packages are modelled (their own
//! issue), a scenario's visits stand for the recurring packages of its clients, recurring by
//! service as the programmes book them: meals and personal care every day, cleaning twice a
//! week, bathing, escorts and medical escorts once a week (on weekdays drawn per visit).
//! Urgent one-tap calls come on top: a Poisson number per station and day, each from a random
//! client at a random time, to be reached within a given time.

use formats::scenario::{Scenario, Visit};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use solver::{Seconds, ServiceKind, TimeWindow};
use std::collections::HashMap;

/// How often a package visit of this service recurs in a week.
fn visits_per_week(service: &ServiceKind) -> usize {
    match service {
        ServiceKind::Meal | ServiceKind::PersonalCare => 7,
        ServiceKind::Cleaning => 2,
        _ => 1,
    }
}

/// What happens on the days of the simulation.
#[derive(Clone, Debug)]
pub struct DemandModel {
    /// Urgent calls per client per day.
    pub urgent_rate: f64,
    /// An urgent call must be reached within this many seconds of the call.
    pub urgent_reach: Seconds,
    /// How long an urgent visit lasts.
    pub urgent_duration: Seconds,
}

/// One day's visits, package and urgent, for every station.
pub struct Day {
    pub index: usize,
    pub visits: Vec<Visit>,
    /// Ids of the urgent visits among `visits`.
    pub urgent: Vec<String>,
}

/// Poisson draw by inversion (means are small: a few calls a day).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> usize {
    let (mut k, mut p) = (0, (-mean).exp());
    let mut cumulative = p;
    let u: f64 = rng.gen();
    while u > cumulative && k < 10_000 {
        k += 1;
        p *= mean / k as f64;
        cumulative += p;
    }
    k
}

/// The days `0..days` of demand, deterministic for `seed`.
pub fn days(scenario: &Scenario, model: &DemandModel, days: usize, seed: u64) -> Vec<Day> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Which weekdays each package visit falls on, drawn once for the whole simulation.
    let weekdays: Vec<Vec<usize>> = scenario
        .visits
        .iter()
        .map(|v| {
            let mut d = sample(&mut rng, 7, visits_per_week(&v.service)).into_vec();
            d.sort_unstable();
            d
        })
        .collect();
    let mut clients_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &scenario.clients {
        clients_of.entry(c.station.as_str()).or_default().push(c.id.as_str());
    }
    (0..days)
        .map(|index| {
            let mut visits: Vec<Visit> = scenario
                .visits
                .iter()
                .zip(&weekdays)
                .filter(|(_, days)| days.contains(&(index % 7)))
                .map(|(v, _)| Visit { id: format!("d{index}-{}", v.id), ..v.clone() })
                .collect();
            let mut urgent = Vec::new();
            for station in &scenario.stations {
                let clients = clients_of.get(station.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                if clients.is_empty() {
                    continue;
                }
                for _ in 0..poisson(&mut rng, model.urgent_rate * clients.len() as f64) {
                    let client = clients[rng.gen_range(0..clients.len())];
                    // Calls come in while the day shifts work, 08:00-16:00.
                    let at = rng.gen_range(8 * 3600..16 * 3600);
                    let id = format!("d{index}-urgent-{}", urgent.len() + 1);
                    visits.push(Visit {
                        id: id.clone(),
                        client: client.to_string(),
                        service: ServiceKind::Other("urgent_call".into()),
                        duration: model.urgent_duration,
                        windows: vec![TimeWindow::new(
                            Seconds(at),
                            Seconds(at) + model.urgent_reach,
                        )],
                        skills: Vec::new(),
                        priority: 5,
                        due: None,
                        preferred: Vec::new(),
                        refused: Vec::new(),
                        female_only: false,
                        canteen: None,
                        meals: None,
                    });
                    urgent.push(id);
                }
            }
            Day { index, visits, urgent }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Scenario {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/demo.json"
        ))
        .expect("demo scenario");
        Scenario::from_json(&text).expect("valid")
    }

    fn model() -> DemandModel {
        DemandModel {
            urgent_rate: 0.05,
            urgent_reach: Seconds(3600),
            urgent_duration: Seconds(1800),
        }
    }

    #[test]
    fn packages_recur_by_service_and_the_days_are_deterministic() {
        let s = demo();
        let week = days(&s, &model(), 7, 3);
        for v in &s.visits {
            let n = week
                .iter()
                .filter(|d| d.visits.iter().any(|x| x.id.ends_with(&format!("-{}", v.id))))
                .count();
            assert_eq!(n, visits_per_week(&v.service), "{} ({})", v.id, v.service);
        }
        let urgent: usize = week.iter().map(|d| d.urgent.len()).sum();
        assert!(urgent > 0, "0.05 calls per client per day over 150 clients brings calls");
        let again = days(&s, &model(), 7, 3);
        let ids = |w: &[Day]| {
            w.iter().flat_map(|d| d.visits.iter().map(|v| v.id.clone())).collect::<Vec<_>>()
        };
        assert_eq!(ids(&week), ids(&again));
        assert_ne!(ids(&week), ids(&days(&s, &model(), 7, 4)), "another seed, other days");
    }
}
