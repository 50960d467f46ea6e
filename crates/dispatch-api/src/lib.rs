//! placeholder
pub mod road_travel;
