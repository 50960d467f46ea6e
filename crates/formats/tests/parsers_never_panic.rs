//! Files come from outside: the Solomon, VRPLIB and scenario readers must answer every
//! input, however mangled, with a value or an error, never a panic.

use formats::lilim::parse_lilim;
use formats::mankowska::parse_mankowska;
use formats::scenario::Scenario;
use formats::solomon::parse_solomon;
use formats::vrplib::parse_vrplib;
use proptest::prelude::*;

const SOLOMON_HEAD: &str = "C101\n\nVEHICLE\nNUMBER     CAPACITY\n  25         200\n\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n    0      40         50          0          0       1236          0\n    1      45         68         10        912        967         90\n    2      45         70         30        825        870         90\n";

const VRPLIB: &str = "NAME : tiny\nTYPE : VRPTW\nDIMENSION : 3\nVEHICLES : 2\nCAPACITY : 10\nSERVICE_TIME : 5\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\nDEMAND_SECTION\n1 0\n2 4\n3 4\nTIME_WINDOW_SECTION\n1 0 200\n2 0 100\n3 0 100\nSERVICE_TIME_SECTION\n1 0\n2 5\n3 7\nDEPOT_SECTION\n1\n-1\nEOF\n";

const SCENARIO: &str = r#"{"name":"t","stations":[{"id":"S1","location":{"lon":1.5,"lat":42.5},"circle":{"minutes":15,"mode":"ebike"}}],"caregivers":[{"id":"C1","station":"S1","shift":{"start":28800,"end":61200},"mode":"ebike"}],"clients":[{"id":"K1","station":"S1","location":{"lon":1.51,"lat":42.51}}],"visits":[{"id":"V1","client":"K1","service":"meal","duration":900,"windows":[{"start":39600,"end":45000}]}]}"#;

const MANKOWSKA: &str = "nbNodes\n4\nnbVehi\n2\nnbServi\n2\nr\n1 1\n1 1\n0 1\n1 1\nDS\n2\na\n1 1\n0 1\nx\n0 1 2 0\ny\n0 1 2 0\nd\n0 1 2 0\n1 0 1 1\n2 1 0 2\n0 1 2 0\np\n0 0\n0 0\n5 5\n6 6\n3 3\n4 4\n0 0\n0 0\nmind\n0 10 0 0\nmaxd\n0 20 0 0\ne\n0 5 0 0\nl\n100 50 60 200\n";

const LILIM: &str = "2\t10\t1\n0\t0\t0\t0\t0\t1000\t0\t0\t0\n1\t3\t4\t5\t0\t1000\t10\t0\t2\n2\t6\t8\t-5\t0\t1000\t10\t1\t0\n3\t1\t1\t3\t0\t900\t10\t0\t4\n4\t2\t9\t-3\t100\t1000\t10\t3\t0\n";

/// The scenario with two canteens: its meal becomes a pick-up and a delivery.
const SCENARIO_MEALS: &str = r#"{"name":"t","stations":[{"id":"S1","location":{"lon":1.5,"lat":42.5},"circle":{"minutes":15,"mode":"ebike"}}],"caregivers":[{"id":"C1","station":"S1","shift":{"start":28800,"end":61200},"mode":"ebike","box_capacity":4}],"clients":[{"id":"K1","station":"S1","location":{"lon":1.51,"lat":42.51}}],"visits":[{"id":"V1","client":"K1","service":"meal","duration":300,"windows":[{"start":39600,"end":45000}],"meals":2}],"canteens":[{"id":"CT1","location":{"lon":1.52,"lat":42.5},"hours":{"start":37800,"end":68400},"meals_ready":38700},{"id":"CT2","location":{"lon":1.49,"lat":42.51},"hours":{"start":37800,"end":50000}}],"meal_rules":{"max_ride_minutes":30,"box_capacity":6}}"#;

/// Two stations in a pool, a caregiver starting at home and ending at the station.
const SCENARIO_POOL: &str = r#"{"name":"t","stations":[{"id":"S1","location":{"lon":1.5,"lat":42.5},"circle":{"minutes":15,"mode":"ebike"}},{"id":"S2","location":{"lon":1.52,"lat":42.5},"circle":{"minutes":10,"mode":"walk"}}],"caregivers":[{"id":"C1","station":"S1","shift":{"start":28800,"end":61200},"mode":"ebike","start":{"lon":1.49,"lat":42.49},"max_commute_minutes":30,"commute_paid":false},{"id":"C2","station":"S2","shift":{"start":28800,"end":61200},"mode":"walk","end":"station"}],"clients":[{"id":"K1","station":"S1","location":{"lon":1.51,"lat":42.51}}],"visits":[{"id":"V1","client":"K1","service":"meal","duration":900,"windows":[{"start":39600,"end":45000}]}],"pools":[{"id":"P1","stations":["S1","S2"]}]}"#;

/// `text` with `cut` bytes from `at` replaced by `insert` (on char boundaries).
fn splice(text: &str, at: usize, cut: usize, insert: &str) -> String {
    let mut start = at.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + cut).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!("{}{}{}", &text[..start], insert, &text[end..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn solomon_reader_never_panics(at in 0usize..600, cut in 0usize..40, insert in "[ 0-9a-z.\\-\n]{0,12}") {
        let text = splice(SOLOMON_HEAD, at, cut, &insert);
        if let Ok(instance) = parse_solomon(&text, "fuzz") {
            let _ = instance.to_problem();
        }
    }

    #[test]
    fn vrplib_reader_never_panics(at in 0usize..300, cut in 0usize..40, insert in "[ 0-9A-Z_:.\\-\n]{0,12}") {
        let text = splice(VRPLIB, at, cut, &insert);
        if let Ok(instance) = parse_vrplib(&text, "fuzz") {
            let _ = instance.to_problem();
        }
    }

    #[test]
    fn scenario_reader_never_panics(at in 0usize..700, cut in 0usize..30, insert in "[ -~]{0,10}") {
        let text = splice(SCENARIO, at, cut, &insert);
        if let Ok(s) = Scenario::from_json(&text) {
            for station in &s.stations {
                let _ = s.station_day(&station.id);
            }
        }
    }

    #[test]
    fn pool_scenario_reader_never_panics(at in 0usize..800, cut in 0usize..30, insert in "[ -~]{0,10}") {
        let text = splice(SCENARIO_POOL, at, cut, &insert);
        if let Ok(s) = Scenario::from_json(&text) {
            for unit in s.plan_units() {
                let _ = s.unit_day(&unit);
            }
        }
    }

    #[test]
    fn meal_scenario_reader_never_panics(at in 0usize..900, cut in 0usize..30, insert in "[ -~]{0,10}") {
        let text = splice(SCENARIO_MEALS, at, cut, &insert);
        if let Ok(s) = Scenario::from_json(&text) {
            for station in &s.stations {
                let _ = s.station_day(&station.id);
            }
        }
    }

    #[test]
    fn lilim_reader_never_panics(at in 0usize..160, cut in 0usize..20, insert in "[ \t0-9x.\\-\n]{0,10}") {
        let text = splice(LILIM, at, cut, &insert);
        if let Ok(instance) = parse_lilim(&text, "fuzz") {
            if let Ok((problem, travel)) = instance.to_problem() {
                let mut env = solver::Environment::new(1, solver::MaxIterations(20));
                let plan = solver::solve(&problem, &travel, &mut env);
                prop_assert!(solver::check::check(&problem, &travel, &plan).is_feasible());
            }
        }
    }

    #[test]
    fn mankowska_reader_never_panics(at in 0usize..260, cut in 0usize..20, insert in "[ 0-9a-zA-Z.\\-\n]{0,10}") {
        let text = splice(MANKOWSKA, at, cut, &insert);
        if let Ok(instance) = parse_mankowska(&text, "fuzz") {
            if let Ok((problem, travel)) = instance.to_problem() {
                let mut env = solver::Environment::new(1, solver::MaxIterations(20));
                let plan = solver::solve(&problem, &travel, &mut env);
                prop_assert!(solver::check::check(&problem, &travel, &plan).is_feasible());
            }
        }
    }

    #[test]
    fn arbitrary_text_is_refused_cleanly(text in "\\PC{0,200}") {
        let _ = parse_solomon(&text, "fuzz");
        let _ = parse_vrplib(&text, "fuzz");
        let _ = parse_mankowska(&text, "fuzz");
        let _ = parse_lilim(&text, "fuzz");
        let _ = Scenario::from_json(&text);
    }
}
