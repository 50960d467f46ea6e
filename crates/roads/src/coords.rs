//! WGS84 <-> GCJ-02 <-> BD-09 conversions, the published (leaked) algorithms used by every
//! Chinese map SDK. GCJ-02 is only defined inside China's rough bounding box; outside it
//! points pass through unchanged, as the reference implementation does.

use crate::LonLat;
use std::f64::consts::PI;

/// Semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02.
const A: f64 = 6_378_245.0;
/// Its first eccentricity squared, written as published (f64 keeps ~17 digits of it).
#[allow(clippy::excessive_precision)]
const EE: f64 = 0.006_693_421_622_965_943_23;
/// BD-09's angular scale.
const X_PI: f64 = PI * 3000.0 / 180.0;

/// True outside the box where GCJ-02 applies (the reference `outOfChina`).
pub fn out_of_china(p: LonLat) -> bool {
    !(72.004..=137.8347).contains(&p.lon) || !(0.8293..=55.8271).contains(&p.lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 to GCJ-02 (the forward, closed-form direction).
pub fn wgs84_to_gcj02(p: LonLat) -> LonLat {
    if out_of_china(p) {
        return p;
    }
    let dlat = transform_lat(p.lon - 105.0, p.lat - 35.0);
    let dlon = transform_lon(p.lon - 105.0, p.lat - 35.0);
    let rad_lat = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
    LonLat::new(p.lon + dlon, p.lat + dlat)
}

/// GCJ-02 to WGS84. There is no closed form, so this iterates the forward transform
/// (fixed point on the offset) until the residual is below 1e-9 degrees (~0.1 mm).
pub fn gcj02_to_wgs84(p: LonLat) -> LonLat {
    if out_of_china(p) {
        return p;
    }
    let mut w = p;
    for _ in 0..30 {
        let g = wgs84_to_gcj02(w);
        let (dlon, dlat) = (g.lon - p.lon, g.lat - p.lat);
        w = LonLat::new(w.lon - dlon, w.lat - dlat);
        if dlon.abs() < 1e-9 && dlat.abs() < 1e-9 {
            break;
        }
    }
    w
}

/// GCJ-02 to BD-09.
pub fn gcj02_to_bd09(p: LonLat) -> LonLat {
    let (x, y) = (p.lon, p.lat);
    let z = (x * x + y * y).sqrt() + 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) + 0.000003 * (x * X_PI).cos();
    LonLat::new(z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 to GCJ-02 (Baidu's published approximate inverse, ~1e-6 degrees).
pub fn bd09_to_gcj02(p: LonLat) -> LonLat {
    let (x, y) = (p.lon - 0.0065, p.lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    LonLat::new(z * theta.cos(), z * theta.sin())
}

/// WGS84 to BD-09 (through GCJ-02).
pub fn wgs84_to_bd09(p: LonLat) -> LonLat {
    gcj02_to_bd09(wgs84_to_gcj02(p))
}

/// BD-09 to WGS84 (through GCJ-02).
pub fn bd09_to_wgs84(p: LonLat) -> LonLat {
    gcj02_to_wgs84(bd09_to_gcj02(p))
}
