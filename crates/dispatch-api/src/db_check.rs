//! `carecircle db check`: rows stored before today's limits that the limits would refuse
//! now (an over-long id or name, a NUL, a visit rule tightened since). They stay readable and
//! deactivatable, and no migration touches them; this lists them so that someone fixes them.

use crate::error::AppError;
use crate::limits;
use crate::order::Order;
use crate::store::{MasterKind, Store};
use formats::care_package::CarePackage;
use serde_json::Value;

/// A stored row that today's limits refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The table (`clients`, `orders`, `tokens`, ...).
    pub table: &'static str,
    /// The row's id as people can read it: at most 40 characters, with its length when cut.
    pub id: String,
    pub field: String,
    pub reason: String,
}

/// Rows read at a time: the check walks a big table without holding it all.
const PAGE: usize = 1000;

/// The id shown for a row: long ids are cut (a 1 MB id fits no terminal).
fn readable(id: &str) -> String {
    let n = id.chars().count();
    if n <= 40 {
        return id.escape_debug().to_string();
    }
    let head: String = id.chars().take(40).collect();
    format!("{}… ({n} characters)", head.escape_debug())
}

/// What is wrong with one stored row of `table`, if anything: the id column, then the
/// body's common fields, then the rules of its kind.
fn check_row(table: &'static str, id: &str, body: &str) -> Option<Finding> {
    let finding = |e: AppError| match e {
        AppError::Validation { field, reason } => {
            Some(Finding { table, id: readable(id), field, reason })
        }
        other => Some(Finding {
            table,
            id: readable(id),
            field: "body".into(),
            reason: other.to_string(),
        }),
    };
    if let Err(e) = limits::id("id", id) {
        return finding(e);
    }
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return finding(AppError::invalid("body", format!("is not JSON: {e}"))),
    };
    if let Err(e) = limits::row(&value) {
        return finding(e);
    }
    let rules = |duration, windows: &[_], priority| {
        formats::visit_rules::check(duration, windows, priority)
            .map_err(|e| AppError::invalid(e.field, e.reason))
    };
    let kind_rules = match table {
        "orders" => serde_json::from_value::<Order>(value)
            .map_err(|e| AppError::invalid("body", e.to_string()))
            .and_then(|o| rules(o.duration, &o.windows, o.priority)),
        "packages" => serde_json::from_value::<CarePackage>(value)
            .map_err(|e| AppError::invalid("body", e.to_string()))
            .and_then(|p| rules(p.duration, &p.windows, p.priority)),
        _ => Ok(()),
    };
    kind_rules.err().and_then(finding)
}

/// Every stored row of master data, orders and token labels that today's limits refuse.
pub async fn over_limits(store: &Store) -> Result<Vec<Finding>, AppError> {
    let mut found = Vec::new();
    let tables = MasterKind::ALL.iter().map(|k| k.table()).chain(["orders"]);
    for table in tables {
        let mut after = String::new();
        loop {
            let page = store.stored_rows(table, &after, PAGE).await?;
            let Some((last, _)) = page.last() else { break };
            after = last.clone();
            found.extend(page.iter().filter_map(|(id, body)| check_row(table, id, body)));
            if page.len() < PAGE {
                break;
            }
        }
    }
    for token in store.tokens().await? {
        if let Err(AppError::Validation { field, reason }) =
            limits::text("label", &token.label, limits::MAX_NAME)
        {
            found.push(Finding { table: "tokens", id: token.id, field, reason });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_within_the_limits_pass_and_others_are_named() {
        let fine = r#"{"id": "K1", "name": "王秀英"}"#;
        assert_eq!(check_row("clients", "K1", fine), None);
        let long = "客".repeat(70);
        let found = check_row("clients", &long, fine).expect("an over-long id");
        assert_eq!(found.field, "id");
        assert!(found.id.ends_with("(70 characters)"), "{}", found.id);
        let named = format!(r#"{{"id": "K2", "name": "{}"}}"#, "名".repeat(101));
        assert_eq!(check_row("clients", "K2", &named).map(|f| f.field), Some("name".into()));
        let order = r#"{"id": "O1", "client": "K1", "date": "2026-11-25", "service": "cleaning",
            "duration": 86400, "windows": [{"start": 0, "end": 86400}], "skills": [],
            "priority": 1, "status": "open"}"#;
        let found = check_row("orders", "O1", order).expect("a 24 h visit");
        assert_eq!(found.field, "duration");
    }
}
