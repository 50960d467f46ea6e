//! GeoJSON output for service circles.

use geojson::{Feature, Geometry, JsonObject};

/// A GeoJSON feature for `poly` with the given properties.
pub fn polygon_to_geojson(
    poly: &geo::Polygon<f64>,
    properties: serde_json::Map<String, serde_json::Value>,
) -> Feature {
    let properties: JsonObject = properties;
    Feature {
        bbox: None,
        geometry: Some(Geometry::from(poly)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}
