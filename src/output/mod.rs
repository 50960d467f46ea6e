//! What the command writes for people and tools: a KPI table, GeoJSON and an SVG map.

pub mod chart;
pub mod geojson;
pub mod png;
pub mod svg;
pub mod table;
