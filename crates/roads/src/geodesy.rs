//! Distances on the sphere and a local flat projection for spatial indexing and hulls.

use crate::LonLat;

/// Mean Earth radius in metres (IUGG), as used by the haversine formula.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres.
pub fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Equirectangular projection around a reference latitude: metres east/north. Accurate to
/// well under 1% over a county, and linear, so interpolating in it or in degrees agrees.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct LocalProjection {
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
}

impl LocalProjection {
    /// A projection centred on latitude `lat0`.
    pub fn new(lat0: f64) -> Self {
        let m_per_deg_lat = EARTH_RADIUS_M.to_radians();
        LocalProjection {
            m_per_deg_lon: m_per_deg_lat * lat0.to_radians().cos().max(1e-6),
            m_per_deg_lat,
        }
    }

    /// Degrees to projected metres.
    pub fn forward(&self, p: LonLat) -> [f64; 2] {
        [p.lon * self.m_per_deg_lon, p.lat * self.m_per_deg_lat]
    }

    /// Projected metres to degrees.
    pub fn inverse(&self, xy: [f64; 2]) -> LonLat {
        LonLat::new(xy[0] / self.m_per_deg_lon, xy[1] / self.m_per_deg_lat)
    }
}
