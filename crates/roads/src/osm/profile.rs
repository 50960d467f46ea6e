//! OSM tag rules per travel mode, kept as data: which `highway` values a mode may use and
//! how fast, which access keys speak for it, and whether `oneway` binds it.

use crate::Mode;

/// How one mode reads OSM tags.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The mode this profile is for.
    pub mode: Mode,
    /// `highway` values usable by default, with their speed in km/h.
    pub speeds: &'static [(&'static str, f64)],
    /// `highway` values closed by default but usable when the mode's own access key
    /// says yes (e.g. `highway=footway` + `bicycle=yes` for e-bikes), with their speed.
    pub speeds_if_allowed: &'static [(&'static str, f64)],
    /// Access keys from general to specific; the most specific one present wins.
    pub access_keys: &'static [&'static str],
    /// Whether `oneway` (and implied oneway) restricts this mode.
    pub obeys_oneway: bool,
    /// A key that, set to `no`, lifts oneway for this mode (`oneway:bicycle`).
    pub oneway_exception_key: Option<&'static str>,
    /// Whether a numeric `maxspeed` caps this mode's speed.
    pub obeys_maxspeed: bool,
    /// Whether `motorroad=yes` closes the way (unless the mode's key allows it).
    pub barred_from_motorroads: bool,
}

/// Walking: ~5 km/h on anything but motorways and trunk roads; no oneway.
pub const WALK: Profile = Profile {
    mode: Mode::Walk,
    speeds: &[
        ("footway", 5.0),
        ("pedestrian", 5.0),
        ("path", 4.5),
        ("steps", 3.0),
        ("corridor", 5.0),
        ("living_street", 5.0),
        ("residential", 5.0),
        ("service", 5.0),
        ("track", 4.5),
        ("unclassified", 5.0),
        ("road", 5.0),
        ("tertiary", 5.0),
        ("tertiary_link", 5.0),
        ("secondary", 5.0),
        ("secondary_link", 5.0),
        ("primary", 5.0),
        ("primary_link", 5.0),
        ("cycleway", 5.0),
        ("bridleway", 4.5),
    ],
    speeds_if_allowed: &[("trunk", 5.0), ("trunk_link", 5.0)],
    access_keys: &["access", "foot"],
    obeys_oneway: false,
    oneway_exception_key: None,
    obeys_maxspeed: false,
    barred_from_motorroads: true,
};

/// E-bike: 15-18 km/h on cycleways and ordinary roads, slower on tracks and paths.
pub const EBIKE: Profile = Profile {
    mode: Mode::Ebike,
    speeds: &[
        ("cycleway", 18.0),
        ("primary", 16.0),
        ("primary_link", 16.0),
        ("secondary", 18.0),
        ("secondary_link", 18.0),
        ("tertiary", 18.0),
        ("tertiary_link", 18.0),
        ("unclassified", 16.0),
        ("road", 15.0),
        ("residential", 16.0),
        ("living_street", 10.0),
        ("service", 12.0),
        ("track", 10.0),
        ("path", 10.0),
    ],
    speeds_if_allowed: &[
        ("footway", 8.0),
        ("pedestrian", 8.0),
        ("bridleway", 8.0),
        ("trunk", 16.0),
        ("trunk_link", 16.0),
    ],
    access_keys: &["access", "vehicle", "bicycle"],
    obeys_oneway: true,
    oneway_exception_key: Some("oneway:bicycle"),
    obeys_maxspeed: false,
    barred_from_motorroads: true,
};

/// Car: the usual 30-100 km/h by road class, slower on service roads; `maxspeed` caps.
pub const CAR: Profile = Profile {
    mode: Mode::Car,
    speeds: &[
        ("motorway", 100.0),
        ("motorway_link", 60.0),
        ("trunk", 80.0),
        ("trunk_link", 50.0),
        ("primary", 60.0),
        ("primary_link", 40.0),
        ("secondary", 50.0),
        ("secondary_link", 40.0),
        ("tertiary", 40.0),
        ("tertiary_link", 30.0),
        ("unclassified", 30.0),
        ("road", 30.0),
        ("residential", 30.0),
        ("living_street", 10.0),
        ("service", 20.0),
    ],
    speeds_if_allowed: &[("track", 15.0)],
    access_keys: &["access", "vehicle", "motor_vehicle", "motorcar"],
    obeys_oneway: true,
    oneway_exception_key: None,
    obeys_maxspeed: true,
    barred_from_motorroads: false,
};

/// Which directions of a way a mode may travel, and how fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayRule {
    /// Speed in km/h, > 0.
    pub speed_kmh: f64,
    /// Travel allowed in the order of the way's node refs.
    pub forward: bool,
    /// Travel allowed against the order of the way's node refs.
    pub backward: bool,
}

/// Access values that open a way to the mode they are set for.
fn opens(value: &str) -> bool {
    matches!(
        value,
        "yes" | "designated" | "permissive" | "destination" | "customers" | "delivery" | "official"
    )
}

/// Access values that close a way. Anything unknown is left as "no opinion".
fn closes(value: &str) -> bool {
    matches!(value, "no" | "private" | "agricultural" | "forestry" | "emergency" | "use_sidepath")
}

impl Profile {
    /// The profile of a mode.
    pub fn of(mode: Mode) -> &'static Profile {
        match mode {
            Mode::Walk => &WALK,
            Mode::Ebike => &EBIKE,
            Mode::Car => &CAR,
        }
    }

    /// The most specific access verdict among this mode's keys: `Some(true)` open,
    /// `Some(false)` closed, `None` when no key says anything we understand.
    fn access(&self, tags: Tags<'_>) -> Option<bool> {
        let mut verdict = None;
        for key in self.access_keys {
            if let Some(v) = tags.get(key) {
                if opens(v) {
                    verdict = Some(true);
                } else if closes(v) {
                    verdict = Some(false);
                }
            }
        }
        verdict
    }

    /// How this mode may use a way with these tags, or `None` if it may not.
    pub fn way_rule(&self, tags: &[(String, String)]) -> Option<WayRule> {
        let tags = Tags(tags);
        let tag = |k: &str| tags.get(k);
        let highway = tag("highway")?;
        if tag("area") == Some("yes") && highway != "pedestrian" {
            return None;
        }
        let access = self.access(tags);
        let default_speed = lookup(self.speeds, highway);
        let mut speed_kmh = match (default_speed, access) {
            (_, Some(false)) => return None,
            (Some(s), _) => s,
            (None, Some(true)) => lookup(self.speeds_if_allowed, highway)?,
            (None, None) => return None,
        };
        if self.barred_from_motorroads && tag("motorroad") == Some("yes") && access != Some(true) {
            return None;
        }
        if self.obeys_maxspeed {
            if let Some(cap) = tag("maxspeed").and_then(parse_kmh) {
                speed_kmh = speed_kmh.min(cap);
            }
        }
        let (forward, backward) = self.directions(highway, tags)?;
        Some(WayRule { speed_kmh, forward, backward })
    }

    /// Allowed directions; `None` when the way is closed to this mode altogether
    /// (`oneway=reversible`: direction changes by time of day, so we cannot plan on it).
    fn directions(&self, highway: &str, tags: Tags<'_>) -> Option<(bool, bool)> {
        let tag = |k: &str| tags.get(k);
        if !self.obeys_oneway {
            return Some((true, true));
        }
        if let Some(key) = self.oneway_exception_key {
            if tag(key) == Some("no") {
                return Some((true, true));
            }
        }
        // Contraflow cycle lanes let bicycles ride against a oneway street.
        if self.mode == Mode::Ebike
            && matches!(tag("cycleway"), Some("opposite" | "opposite_lane" | "opposite_track"))
        {
            return Some((true, true));
        }
        match tag("oneway") {
            Some("yes" | "true" | "1") => Some((true, false)),
            Some("-1" | "reverse") => Some((false, true)),
            Some("no" | "false" | "0") => Some((true, true)),
            Some("reversible" | "alternating") => None,
            _ => {
                let implied = matches!(tag("junction"), Some("roundabout" | "circular"))
                    || highway == "motorway";
                Some((true, !implied))
            }
        }
    }
}

/// Tag lookup over a way's key/value list (ways have few tags: a scan beats a map).
#[derive(Clone, Copy)]
struct Tags<'t>(&'t [(String, String)]);

impl<'t> Tags<'t> {
    fn get(&self, key: &str) -> Option<&'t str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn lookup(table: &[(&str, f64)], highway: &str) -> Option<f64> {
    table.iter().find(|(h, _)| *h == highway).map(|(_, s)| *s)
}

/// A plain `maxspeed` in km/h ("50"); units, zones and "none" are ignored.
fn parse_kmh(value: &str) -> Option<f64> {
    let v: f64 = value.trim().parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn footway_is_walk_only() {
        let t = tags(&[("highway", "footway")]);
        assert!(WALK.way_rule(&t).is_some());
        assert!(EBIKE.way_rule(&t).is_none());
        assert!(CAR.way_rule(&t).is_none());
        let t = tags(&[("highway", "footway"), ("bicycle", "yes")]);
        assert_eq!(EBIKE.way_rule(&t).map(|r| r.speed_kmh), Some(8.0));
    }

    #[test]
    fn motorway_is_car_only_and_implied_oneway() {
        let t = tags(&[("highway", "motorway")]);
        assert!(WALK.way_rule(&t).is_none());
        assert!(EBIKE.way_rule(&t).is_none());
        let r = CAR.way_rule(&t);
        assert_eq!(r.map(|r| (r.forward, r.backward)), Some((true, false)));
    }

    #[test]
    fn oneway_rules() {
        let t = tags(&[("highway", "residential"), ("oneway", "-1")]);
        let car = CAR.way_rule(&t).map(|r| (r.forward, r.backward));
        assert_eq!(car, Some((false, true)));
        let walk = WALK.way_rule(&t).map(|r| (r.forward, r.backward));
        assert_eq!(walk, Some((true, true)));
        let t = tags(&[("highway", "residential"), ("oneway", "yes"), ("oneway:bicycle", "no")]);
        let bike = EBIKE.way_rule(&t).map(|r| (r.forward, r.backward));
        assert_eq!(bike, Some((true, true)));
        let t = tags(&[("highway", "primary"), ("junction", "roundabout")]);
        let car = CAR.way_rule(&t).map(|r| (r.forward, r.backward));
        assert_eq!(car, Some((true, false)));
    }

    #[test]
    fn access_overrides() {
        let t = tags(&[("highway", "service"), ("access", "private"), ("foot", "yes")]);
        assert!(WALK.way_rule(&t).is_some());
        assert!(CAR.way_rule(&t).is_none());
        assert!(EBIKE.way_rule(&t).is_none());
        let t = tags(&[("highway", "residential"), ("foot", "no")]);
        assert!(WALK.way_rule(&t).is_none());
        let t = tags(&[("highway", "residential"), ("bicycle", "no")]);
        assert!(EBIKE.way_rule(&t).is_none());
        let t = tags(&[("highway", "residential"), ("access", "no"), ("motorcar", "yes")]);
        assert!(CAR.way_rule(&t).is_some());
    }

    #[test]
    fn maxspeed_caps_car() {
        let t = tags(&[("highway", "primary"), ("maxspeed", "30")]);
        assert_eq!(CAR.way_rule(&t).map(|r| r.speed_kmh), Some(30.0));
        let t = tags(&[("highway", "primary"), ("maxspeed", "RU:urban")]);
        assert_eq!(CAR.way_rule(&t).map(|r| r.speed_kmh), Some(60.0));
        let t = tags(&[("highway", "residential"), ("maxspeed", "90")]);
        assert_eq!(CAR.way_rule(&t).map(|r| r.speed_kmh), Some(30.0));
    }
}
