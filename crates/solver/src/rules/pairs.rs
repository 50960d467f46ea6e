//! Meal pairs (pick-up and delivery): a served delivery with exactly one of its pick-ups, by
//! the same caregiver, the pick-up first; a pick-up only with its delivery. The box and the
//! ride time are their own rules (`meal_box`, `ride`). The checker's twins are
//! `pair_incomplete`, `pair_same_caregiver` and `pickup_before_delivery` in `check::pairs`.

use crate::model::ReasonCode;
use crate::route::data::Data;

/// A [`PickupDelivery`](crate::model::PickupDelivery) by index: one of `pickups`, then
/// `delivery`, on one route; `quantity` in the box between them, for at most `max_ride`
/// (`UNLIMITED` if no limit) from the end of the pick-up to the start of the delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MealPair {
    pub pickups: Vec<u32>,
    pub delivery: u32,
    pub quantity: i64,
    pub max_ride: i64,
}

impl Data {
    /// Whether visit `v` is a pick-up: a stop on the way to an order, not an order.
    #[inline]
    pub fn is_pickup(&self, v: usize) -> bool {
        matches!(self.pair[v], Some((_, true)))
    }
}

/// Checks that each pair on a route (`seq`: visits with their pins) has one pick-up, then its
/// delivery; returns the `(delivery, pick-up)` positions of each pair.
pub fn in_order(data: &Data, seq: &[(usize, i64)]) -> Result<Vec<(usize, usize)>, ReasonCode> {
    let mut members: Vec<(u32, bool, usize)> = seq
        .iter()
        .enumerate()
        .filter_map(|(i, &(v, _))| data.pair[v].map(|(p, up)| (p, !up, i)))
        .collect();
    members.sort_unstable();
    let mut rides = Vec::with_capacity(members.len() / 2);
    for m in members.chunks(2) {
        match m {
            [(p, false, pickup), (q, true, delivery)] if p == q && pickup < delivery => {
                rides.push((*delivery, *pickup));
            }
            _ => return Err(ReasonCode::NoRoom),
        }
    }
    Ok(rides)
}
