//! Loads carried by one caregiver from a pick-up to a delivery: meals from a canteen to a
//! client's home (the pick-up-and-delivery problem, PDPTW).

use super::Seconds;
use serde::{Deserialize, Serialize};

/// `quantity` picked up at one of `pickups` (visit ids, alternatives: the canteens a client
/// allows) and delivered at `delivery` by the same caregiver, the pick-up first; the
/// quantity rides in the caregiver's box (at most `Caregiver::capacity` on board at once)
/// and reaches the delivery within `max_ride` of leaving the pick-up (hot food).
///
/// The delivery is the order: it is served or listed unassigned. A pick-up is a stop, not an
/// order: exactly one of the alternatives is served with a served delivery, none without.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupDelivery {
    pub pickups: Vec<String>,
    pub delivery: String,
    pub quantity: i64,
    /// From the end of the pick-up's service to the start of the delivery's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ride: Option<Seconds>,
}
