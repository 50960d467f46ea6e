use super::*;
use proptest::prelude::*;

const JSON: &str = r#"{"points": ["S1", "K1", "K2"],
  "modes": {"ebike": {"durations": [[0, 300, 600], [310, 0, null], [590, null, 0]],
                      "distances": [[0, 1200, 2400], [1250, 0, null], [2300, null, 0]]}}}"#;

fn error_of(r: Result<TravelMatrix, MatrixError>) -> String {
    r.err().map(|e| e.to_string()).unwrap_or_else(|| "no error".into())
}

#[test]
fn json_reads_times_distances_and_no_way() {
    let m = TravelMatrix::parse(JSON).expect("valid");
    assert_eq!(m.points(), ["S1", "K1", "K2"]);
    let (k1, k2) = (m.point("K1").expect("K1"), m.point("K2").expect("K2"));
    assert_eq!(m.leg(TravelMode::Ebike, 0, k1), Some((300, 1200)));
    assert_eq!(m.leg(TravelMode::Ebike, k1, 0), Some((310, 1250)));
    assert_eq!(m.leg(TravelMode::Ebike, k1, k2), None);
    assert_eq!(m.leg(TravelMode::Walk, 0, k1), None, "no walk times at all");
    assert!(m.point("K9").is_none());
}

#[test]
fn csv_reads_the_same_matrix_and_json_round_trips() {
    let csv = "from,to,mode,seconds,metres\nS1,K1,ebike,300,1200\nS1,K2,ebike,600,2400\n\
               K1,S1,ebike,310,1250\nK2,S1,ebike,590,2300\nK1,K2,ebike,100,400\nK2,K1,ebike,100.4,400\n";
    let m = TravelMatrix::parse(csv).expect("valid");
    assert_eq!(m.leg(TravelMode::Ebike, 2, 1), Some((100, 400)), "fractions are rounded");
    let again = TravelMatrix::from_parts(m.to_json()).expect("round trip");
    assert_eq!(again, m);
}

#[test]
fn without_distances_metres_follow_the_mode_speed() {
    let m = TravelMatrix::parse(
        r#"{"points":["A","B"],"modes":{"walk":{"durations":[[0,800],[800,0]]}}}"#,
    )
    .expect("valid");
    assert!(!m.has_distances());
    // 800 s at 4.5 km/h = 1000 m.
    assert_eq!(m.leg(TravelMode::Walk, 0, 1), Some((800, 1000)));
}

#[test]
fn bad_matrices_name_the_pair_or_point() {
    let cases: [(&str, &str); 10] = [
        ("from,to,mode,seconds\nA,B,car,60\n", "no row for B → A (car)"),
        ("A,B,car,-5\nB,A,car,5\n", "line 1 (A → B, car): seconds -5 must not be negative"),
        ("A,B,car,NaN\nB,A,car,5\n", "line 1 (A → B, car): seconds NaN is not a finite number"),
        (
            "A,B,car,5\nA,B,car,6\nB,A,car,5\n",
            "line 2 (A → B, car): this pair and mode appear twice",
        ),
        ("A,B,bike,5\n", "unknown travel mode \"bike\""),
        (
            r#"{"points":["A","B"],"modes":{"car":{"durations":[[0,1]]}}}"#,
            "modes.car.durations: has 1 rows, expected 2",
        ),
        (
            r#"{"points":["A","B"],"modes":{"car":{"durations":[[0,1],[1]]}}}"#,
            "modes.car.durations[1]: row of B has 1 entries, expected 2",
        ),
        (
            r#"{"points":["A","B"],"modes":{"car":{"durations":[[0,-1],[1,0]]}}}"#,
            "modes.car.durations[0][1] (A → B): value -1 must not be negative",
        ),
        (
            r#"{"points":["A","A"],"modes":{"car":{"durations":[[0,1],[1,0]]}}}"#,
            "points[1]: \"A\" is named twice",
        ),
        (
            r#"{"points":["A","B"],"modes":{"car":{"durations":[[0,1],[1,0]],"distances":[[0,null],[1,0]]}}}"#,
            "modes.car.distances[0][1]",
        ),
    ];
    for (text, expected) in cases {
        let got = error_of(TravelMatrix::parse(text));
        assert!(got.contains(expected), "{text:?}: expected {expected:?}, got {got:?}");
    }
    let got =
        error_of(TravelMatrix::parse(r#"{"points":["A"],"modes":{"bike":{"durations":[[0]]}}}"#));
    assert!(got.contains("bike"), "{got}");
}

#[test]
fn select_cuts_out_the_named_points_in_order() {
    let m = TravelMatrix::parse(JSON).expect("valid");
    let part = m.select(&["K2".to_string(), "S1".to_string()]).expect("covered");
    assert_eq!(part.leg(TravelMode::Ebike, 0, 1), Some((590, 2300)));
    assert_eq!(part.leg(TravelMode::Ebike, 1, 0), Some((600, 2400)));
    assert!(m.select(&["K9".to_string()]).is_err());
}

#[test]
fn straight_lines_take_detour_and_speed() {
    let line = StraightLine::default();
    // 1 km on the ground by e-bike: 1.3 km at 15 km/h = 312 s.
    assert_eq!(line.leg(TravelMode::Ebike, 1000.0), (312, 1300));
    let bad = StraightLine { detour: 0.5, ..line };
    assert!(bad.validate("travel.straight_line").is_err());
}

#[test]
fn the_schema_describes_points_and_modes() {
    let schema = json_schema().to_string();
    for word in ["points", "modes", "durations", "distances"] {
        assert!(schema.contains(word), "{word} missing from {schema}");
    }
}

proptest! {
    /// Whatever a user's file holds, reading it answers a matrix or an error, never a panic.
    #[test]
    fn any_text_reads_or_errs(text in "(from,to,mode,seconds,metres\n)?([A-C]{1,2},[A-C]{1,2},(car|walk|bike),(-?[0-9]{1,4}(\\.5)?|NaN|),([0-9]{0,3})\n){0,8}") {
        let _ = TravelMatrix::parse(&text);
    }

    /// A matrix written as JSON reads back the same.
    #[test]
    fn json_round_trips(n in 1usize..6, seed in proptest::collection::vec(0u32..5000, 36)) {
        let points: Vec<String> = (0..n).map(|i| format!("P{i}")).collect();
        let seconds: Vec<u32> = (0..n * n)
            .map(|k| if k / n == k % n { 0 } else if seed[k] % 7 == 0 { TravelMatrix::NONE } else { seed[k] })
            .collect();
        let modes = BTreeMap::from([(TravelMode::Car, (seconds, None))]);
        let m = TravelMatrix::from_numbers(points, modes).expect("valid");
        let text = serde_json::to_string(&m.to_json()).expect("writes");
        prop_assert_eq!(TravelMatrix::parse(&text).expect("reads"), m);
    }
}
