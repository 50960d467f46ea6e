//! From OpenStreetMap data to road graphs: tag rules per mode ([`profile`]), the PBF reader
//! ([`reader`]) and the format-free builder it feeds ([`builder`]), which tests drive with
//! hand-made nodes and ways.

pub mod builder;
pub mod profile;
pub mod reader;

pub use builder::{LoadReport, NetworkBuilder, RawNode, RawWay};
pub use profile::{Profile, WayRule};
