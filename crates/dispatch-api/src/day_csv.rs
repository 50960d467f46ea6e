//! A station's day as a spreadsheet (`GET /v1/stations/{id}/plan?date=&format=csv`): one line
//! per stop of every route, in route order, with the caregiver, the times, the client, the
//! address and the service, and what has been checked in and out — for a dispatcher to print,
//! file or hand to a caregiver without a phone. Chinese headers by default (`&lang=en` for
//! English); a byte-order mark first, so that Excel reads the UTF-8 as UTF-8.

use crate::app::AppState;
use crate::date::{clock_time, PlanDate};
use crate::error::AppError;
use crate::order::{order_of, Order};
use formats::scenario::{Caregiver, Client};
use std::collections::HashMap;

const ZH: [&str; 12] = [
    "护理员",
    "护理员姓名",
    "工单",
    "类型",
    "开始",
    "结束",
    "服务",
    "客户编号",
    "客户姓名",
    "地址",
    "签到",
    "签退",
];
const EN: [&str; 12] = [
    "caregiver",
    "caregiver_name",
    "visit",
    "kind",
    "start",
    "end",
    "service",
    "client",
    "client_name",
    "address",
    "checked_in",
    "checked_out",
];

/// The day's plan `plan` of `station` as CSV, headers in English when `english`.
pub async fn day_csv(
    state: &AppState,
    station: &str,
    date: &PlanDate,
    plan: &solver::Plan,
    english: bool,
) -> Result<String, AppError> {
    // One read each for the whole day, not one per stop.
    let orders: HashMap<String, Order> = state
        .store
        .orders_of_day(station, date)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let clients: HashMap<String, Client> =
        state.store.clients_of(station).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
    let caregivers: HashMap<String, Caregiver> =
        state.store.caregivers_of(station).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
    let progress: HashMap<String, (i64, Option<i64>)> = state
        .store
        .progress_of_day(station, date)
        .await?
        .into_iter()
        .map(|p| (p.visit, (p.check_in, p.check_out)))
        .collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a failure would only lose the line, never panic.
    let _ = out.write_record(if english { EN } else { ZH });
    for route in &plan.routes {
        let name = caregivers.get(&route.caregiver).and_then(|c| c.name.clone());
        for stop in &route.stops {
            let order = orders.get(order_of(stop.pickup_for.as_ref().unwrap_or(&stop.visit)));
            let client = order.and_then(|o| clients.get(&o.client));
            let (kind, service) = match (&stop.pickup_for, english) {
                (Some(_), true) => ("pickup", "meal pick-up".to_string()),
                (Some(_), false) => ("取餐", "取餐".to_string()),
                (None, english) => (
                    if english { "visit" } else { "上门" },
                    order.map(|o| o.service.as_str().to_string()).unwrap_or_default(),
                ),
            };
            let (checked_in, checked_out) = progress.get(&stop.visit).copied().unzip();
            let _ = out.write_record([
                route.caregiver.clone(),
                name.clone().unwrap_or_default(),
                stop.visit.clone(),
                kind.to_string(),
                clock_time(stop.start.0),
                clock_time(stop.end.0),
                service,
                client.map(|c| c.id.clone()).unwrap_or_default(),
                client.and_then(|c| c.name.clone()).unwrap_or_default(),
                client.and_then(|c| c.address.clone()).unwrap_or_default(),
                checked_in.map(clock_time).unwrap_or_default(),
                checked_out.flatten().map(clock_time).unwrap_or_default(),
            ]);
        }
    }
    let body = String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default();
    Ok(format!("\u{feff}{body}"))
}
