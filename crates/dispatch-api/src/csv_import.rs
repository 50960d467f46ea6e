//! Master data from CSV (UTF-8, English or Chinese headers): each row becomes the same JSON
//! object the API takes, so one validation serves both. Lists are separated by `;`, times of
//! day are `HH:MM` (or seconds), windows `08:00-10:00;14:00-16:00`.

use crate::error::AppError;
use serde_json::{json, Map, Value};

/// Chinese headers and their English names.
const ALIASES: &[(&str, &str)] = &[
    ("编号", "id"),
    ("姓名", "name"),
    ("名称", "name"),
    ("站点", "station"),
    ("服务站", "station"),
    ("经度", "lon"),
    ("纬度", "lat"),
    ("坐标系", "crs"),
    ("地址", "address"),
    ("技能", "skills"),
    ("班次开始", "shift_start"),
    ("班次结束", "shift_end"),
    ("出行方式", "mode"),
    ("女性", "female"),
    ("仅限女性", "female_only"),
    ("客户", "client"),
    ("服务", "service"),
    ("时长", "duration"),
    ("时长分钟", "duration_min"),
    ("时间窗", "windows"),
    ("每周次数", "per_week"),
    ("星期", "days"),
    ("服务圈分钟", "circle_minutes"),
    ("服务圈方式", "circle_mode"),
    ("每月小时", "monthly_hours"),
    ("团队", "team"),
    ("成员", "caregivers"),
    ("优先级", "priority"),
    ("营业开始", "hours_start"),
    ("营业结束", "hours_end"),
    ("出餐时间", "meals_ready"),
    ("食堂", "canteen"),
    ("电话", "phone"),
    ("联系人", "contacts"),
    ("关系", "relations"),
    ("联系人电话", "contact_phones"),
];

fn canonical(header: &str) -> String {
    let h = header.trim().trim_start_matches('\u{feff}');
    ALIASES
        .iter()
        .find(|(zh, _)| *zh == h)
        .map_or_else(|| h.to_lowercase(), |(_, en)| en.to_string())
}

/// `HH:MM`, `HH:MM:SS` or whole seconds.
fn time_of_day(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [secs] => secs.parse().ok(),
        [h, m] => Some(h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        [h, m, sec] => Some(
            h.parse::<i64>().ok()? * 3600
                + m.parse::<i64>().ok()? * 60
                + sec.parse::<i64>().ok()?,
        ),
        _ => None,
    }
}

fn list(s: &str) -> Vec<&str> {
    s.split([';', '；', '|']).map(str::trim).filter(|x| !x.is_empty()).collect()
}

fn cell(key: &str, raw: &str) -> Result<(String, Value), String> {
    let number = |s: &str| s.parse::<f64>().map_err(|_| format!("{s:?} is not a number"));
    let integer = |s: &str| s.parse::<i64>().map_err(|_| format!("{s:?} is not a whole number"));
    let time =
        |s: &str| time_of_day(s).ok_or_else(|| format!("{s:?} is not a time of day (HH:MM)"));
    Ok(match key {
        "lon" | "lat" | "monthly_hours" => (key.into(), json!(number(raw)?)),
        "per_week" | "priority" | "contracted" | "max_leg_minutes" | "max_route_duration"
        | "circle_minutes" | "duration" => (key.into(), json!(integer(raw)?)),
        "duration_min" => ("duration".into(), json!(integer(raw)? * 60)),
        "shift_start" | "shift_end" | "hours_start" | "hours_end" | "meals_ready" => {
            (key.into(), json!(time(raw)?))
        }
        "female" | "female_only" | "two_caregivers" => {
            let yes = matches!(raw.to_lowercase().as_str(), "1" | "true" | "yes" | "y" | "是");
            let no = matches!(raw.to_lowercase().as_str(), "0" | "false" | "no" | "n" | "否");
            if !yes && !no {
                return Err(format!("{raw:?} is not yes or no"));
            }
            (key.into(), json!(yes))
        }
        "skills" | "caregivers" | "contacts" | "relations" | "contact_phones" => {
            (key.into(), json!(list(raw)))
        }
        "days" | "allowed_days" => {
            let days = list(raw).into_iter().map(integer).collect::<Result<Vec<_>, _>>()?;
            (key.into(), json!(days))
        }
        "windows" => {
            let mut windows = Vec::new();
            for w in list(raw) {
                let (a, b) = w.split_once('-').ok_or_else(|| format!("{w:?} is not START-END"))?;
                windows.push(json!({"start": time(a.trim())?, "end": time(b.trim())?}));
            }
            (key.into(), json!(windows))
        }
        _ => (key.into(), json!(raw)),
    })
}

/// A contact cell's entry, `name phone` (`张伟 139 0000 1234`, `张伟：13900001234`) or just a
/// name: the phone is the longest tail of digits, `+`, spaces, dashes and brackets.
fn name_and_phone(entry: &str) -> (&str, Option<&str>) {
    let phoneish = |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')');
    let name_end = entry.trim_end_matches(phoneish).len();
    let (name, phone) = entry.split_at(name_end);
    let phone = phone.trim();
    let phone = phone.chars().any(|c| c.is_ascii_digit()).then_some(phone);
    (name.trim().trim_end_matches([':', '：', ',']).trim(), phone)
}

/// The `contacts` column (with `relations` and `contact_phones` in the same order) as the
/// JSON form's `[{name, relation, phone}]`.
fn contacts(row: &mut Map<String, Value>) -> Result<Option<Value>, (String, String)> {
    let mut column = |key: &str| -> Vec<String> {
        match row.remove(key) {
            Some(Value::Array(items)) => {
                items.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
            }
            _ => Vec::new(),
        }
    };
    let (entries, relations, phones) =
        (column("contacts"), column("relations"), column("contact_phones"));
    for (key, list) in [("relations", &relations), ("contact_phones", &phones)] {
        if !list.is_empty() && list.len() != entries.len() {
            let why = format!(
                "{} entries for {} contacts: one each, in order",
                list.len(),
                entries.len()
            );
            return Err((key.into(), why));
        }
    }
    if entries.is_empty() {
        return Ok(None);
    }
    let contacts = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let (name, phone) = name_and_phone(entry);
            let mut c = json!({"name": name});
            if let Some(phone) = phones.get(i).map(String::as_str).or(phone) {
                c["phone"] = json!(phone);
            }
            if let Some(relation) = relations.get(i) {
                c["relation"] = json!(relation);
            }
            c
        })
        .collect();
    Ok(Some(Value::Array(contacts)))
}

/// Folds flat columns into the nested fields of the JSON form; a fault names its column.
fn nest(mut row: Map<String, Value>) -> Result<Value, (String, String)> {
    if let Some(contacts) = contacts(&mut row)? {
        row.insert("contacts".into(), contacts);
    }
    if row.contains_key("lon") || row.contains_key("lat") {
        let mut location = json!({"lon": row.remove("lon"), "lat": row.remove("lat")});
        if let Some(crs) = row.remove("crs") {
            location["crs"] = crs;
        }
        row.insert("location".into(), location);
    }
    if row.contains_key("shift_start") || row.contains_key("shift_end") {
        let shift = json!({"start": row.remove("shift_start"), "end": row.remove("shift_end")});
        row.insert("shift".into(), shift);
    }
    if row.contains_key("hours_start") || row.contains_key("hours_end") {
        let hours = json!({"start": row.remove("hours_start"), "end": row.remove("hours_end")});
        row.insert("hours".into(), hours);
    }
    if row.contains_key("circle_minutes") || row.contains_key("circle_mode") {
        let circle =
            json!({"minutes": row.remove("circle_minutes"), "mode": row.remove("circle_mode")});
        row.insert("circle".into(), circle);
    }
    Ok(Value::Object(row))
}

/// The rows of a CSV file as JSON objects; the error names the row and column.
pub fn rows(text: &[u8]) -> Result<Vec<Value>, AppError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid("csv", format!("cannot read the header row: {e}")))?
        .iter()
        .map(canonical)
        .collect();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record =
            record.map_err(|e| AppError::invalid(format!("line {line}"), e.to_string()))?;
        let mut row = Map::new();
        for (key, raw) in headers.iter().zip(record.iter()) {
            if raw.is_empty() {
                continue;
            }
            let (key, value) = cell(key, raw).map_err(|reason| {
                AppError::invalid(format!("line {line}, column {key}"), reason)
            })?;
            row.insert(key, value);
        }
        let row = nest(row).map_err(|(key, reason)| {
            AppError::invalid(format!("line {line}, column {key}"), reason)
        })?;
        out.push(row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_and_names() {
        let text = "编号,姓名,站点,经度,纬度,坐标系,地址\nK1,王秀英,S1,122.42,37.16,gcj02,荣成市崖头街道\n";
        let rows = rows(text.as_bytes()).unwrap();
        assert_eq!(
            rows[0],
            json!({"id": "K1", "name": "王秀英", "station": "S1", "address": "荣成市崖头街道",
                   "location": {"lon": 122.42, "lat": 37.16, "crs": "gcj02"}})
        );
    }

    #[test]
    fn shifts_windows_and_lists() {
        let text = "id,station,shift_start,shift_end,mode,skills,female\nC1,S1,08:00,16:30,ebike,bathing;meals,是\n";
        let rows = rows(text.as_bytes()).unwrap();
        assert_eq!(rows[0]["shift"], json!({"start": 28_800, "end": 59_400}));
        assert_eq!(rows[0]["skills"], json!(["bathing", "meals"]));
        assert_eq!(rows[0]["female"], json!(true));
        let text = "id,windows\nP1,08:00-10:00;14:00-15:30\n";
        assert_eq!(
            rows_ok(text)[0]["windows"],
            json!([{"start": 28_800, "end": 36_000}, {"start": 50_400, "end": 55_800}])
        );
    }

    #[test]
    fn canteens_with_chinese_headers() {
        let text = "编号,名称,站点,经度,纬度,营业开始,营业结束,出餐时间\nCT1,崖头长者食堂,S1,1.53,42.51,10:30,13:00,11:00\n";
        let rows = rows_ok(text);
        assert_eq!(
            rows[0],
            json!({"id": "CT1", "name": "崖头长者食堂", "station": "S1",
                   "location": {"lon": 1.53, "lat": 42.51},
                   "hours": {"start": 37_800, "end": 46_800}, "meals_ready": 39_600})
        );
    }

    #[test]
    fn phones_and_contacts_with_chinese_headers() {
        let text = "编号,站点,电话,联系人,关系\n\
                    K1,S1,0631-7561234,张伟 139 0000 1234;李娜：13800005678,儿子;邻居\n";
        assert_eq!(
            rows_ok(text)[0],
            json!({"id": "K1", "station": "S1", "phone": "0631-7561234",
                   "contacts": [{"name": "张伟", "relation": "儿子", "phone": "139 0000 1234"},
                                {"name": "李娜", "relation": "邻居", "phone": "13800005678"}]})
        );
        // The phones in a column of their own.
        let text = "编号,联系人,联系人电话\nK1,张伟;李娜,13900001234;13800005678\n";
        assert_eq!(
            rows_ok(text)[0]["contacts"][1],
            json!({"name": "李娜", "phone": "13800005678"})
        );
        let err = rows("编号,联系人,关系\nK1,张伟;李娜,儿子\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("line 2, column relations"), "{err}");
    }

    fn rows_ok(text: &str) -> Vec<Value> {
        rows(text.as_bytes()).unwrap()
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let err = rows("id,lat\nK1,north\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("line 2, column lat"), "{err}");
    }
}
