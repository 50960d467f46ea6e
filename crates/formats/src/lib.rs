//! CareCircle's file formats, outside the routing core: the scenario JSON (stations,
//! caregivers, clients, visits, care packages) and the readers of the benchmark families
//! (Solomon, VRPLIB, Mankowska home care, Li & Lim pick-up and delivery). Each turns a file
//! into a [`solver::Problem`] with its travel times; `solver` never depends on this crate.

pub mod care_package;
pub mod contact;
pub mod lilim;
pub mod mankowska;
pub mod scenario;
pub mod solomon;
pub mod travel_matrix;
pub mod visit_rules;
pub mod vrplib;
pub mod vrptw;
