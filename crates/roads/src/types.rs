//! Small value types shared by every module: travel modes, coordinates, coordinate systems.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A travel mode; each has its own road graph built from its own profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// On foot.
    Walk,
    /// Electric bicycle.
    Ebike,
    /// Car.
    Car,
}

impl Mode {
    /// Every mode, in a fixed order.
    pub const ALL: [Mode; 3] = [Mode::Walk, Mode::Ebike, Mode::Car];

    /// The lowercase name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Walk => "walk",
            Mode::Ebike => "ebike",
            Mode::Car => "car",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the names it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}, expected one of {expected}")]
pub struct ParseNameError {
    /// What was being parsed ("travel mode", "coordinate system").
    pub what: &'static str,
    /// The rejected input.
    pub value: String,
    /// The accepted names, comma separated.
    pub expected: &'static str,
}

impl FromStr for Mode {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| ParseNameError {
            what: "travel mode",
            value: s.to_string(),
            expected: "walk, ebike, car",
        })
    }
}

/// A WGS84 (unless said otherwise) longitude/latitude pair in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    /// Longitude in degrees east.
    pub lon: f64,
    /// Latitude in degrees north.
    pub lat: f64,
}

impl LonLat {
    /// A point from longitude and latitude.
    pub const fn new(lon: f64, lat: f64) -> Self {
        LonLat { lon, lat }
    }

    /// True when both parts are finite and inside the WGS84 ranges.
    pub fn is_valid(self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }
}

/// The coordinate system a point was given in. Chinese map apps send GCJ-02 (Amap,
/// Tencent) or BD-09 (Baidu); the road graph is WGS84, so points are converted at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoordSystem {
    /// GPS / OpenStreetMap.
    Wgs84,
    /// The Chinese "Mars" datum.
    Gcj02,
    /// Baidu's datum, an offset of GCJ-02.
    Bd09,
}

impl CoordSystem {
    /// Every coordinate system, in a fixed order.
    pub const ALL: [CoordSystem; 3] = [CoordSystem::Wgs84, CoordSystem::Gcj02, CoordSystem::Bd09];

    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CoordSystem::Wgs84 => "wgs84",
            CoordSystem::Gcj02 => "gcj02",
            CoordSystem::Bd09 => "bd09",
        }
    }

    /// Converts a point given in this system to WGS84.
    pub fn to_wgs84(self, p: LonLat) -> LonLat {
        match self {
            CoordSystem::Wgs84 => p,
            CoordSystem::Gcj02 => crate::coords::gcj02_to_wgs84(p),
            CoordSystem::Bd09 => crate::coords::bd09_to_wgs84(p),
        }
    }

    /// Converts a WGS84 point to this system.
    pub fn from_wgs84(self, p: LonLat) -> LonLat {
        match self {
            CoordSystem::Wgs84 => p,
            CoordSystem::Gcj02 => crate::coords::wgs84_to_gcj02(p),
            CoordSystem::Bd09 => crate::coords::wgs84_to_bd09(p),
        }
    }
}

impl fmt::Display for CoordSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CoordSystem {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CoordSystem::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| ParseNameError {
            what: "coordinate system",
            value: s.to_string(),
            expected: "wgs84, gcj02, bd09",
        })
    }
}
