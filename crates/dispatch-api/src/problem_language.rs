//! A problem's `detail` in the language the request asks for (`Accept-Language`): Simplified
//! Chinese by default, English on request. The English detail is written where the error is
//! raised; the Chinese one is built here from the problem's stable `code` and `params`, with
//! the English sentence kept after it where the parameters do not hold all it says (a
//! conflict's reason, a validation's reason).

use axum::http::{header, HeaderMap, HeaderValue};
use serde_json::Value;

/// The languages a problem is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

impl Language {
    /// The best of Chinese and English by the header's weights (`en;q=0.9, zh;q=0.8`); Chinese
    /// when neither is named, or no header came.
    pub fn of(headers: &HeaderMap) -> Language {
        let Some(accept) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
        else {
            return Language::Chinese;
        };
        let weight = |prefix: &str| -> f64 {
            accept
                .split(',')
                .filter_map(|item| {
                    let mut parts = item.split(';');
                    let tag = parts.next()?.trim().to_ascii_lowercase();
                    let q = parts
                        .find_map(|p| p.trim().strip_prefix("q="))
                        .and_then(|q| q.trim().parse::<f64>().ok())
                        .unwrap_or(1.0);
                    (tag == prefix || tag.starts_with(&format!("{prefix}-"))).then_some(q)
                })
                .fold(0.0, f64::max)
        };
        if weight("en") > weight("zh") {
            Language::English
        } else {
            Language::Chinese
        }
    }

    pub fn tag(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Language::Chinese => "zh-CN",
            Language::English => "en",
        })
    }
}

fn text<'a>(params: &'a Value, name: &str) -> &'a str {
    params.get(name).and_then(Value::as_str).unwrap_or("")
}

/// The rules of the day a refused change names, as the console words them.
fn rule_zh(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "skills" => "技能不符",
        "gender" => "需要女性护理员",
        "refused" => "服务对象拒绝该护理员",
        "circle" => "超出服务圈",
        "absent" => "护理员今日缺勤",
        "locked" => "已开始、已过或已锁定",
        "link" => "与另一项服务联动（双人或取餐）",
        "time_window" => "不在时间窗内",
        "shift" => "超出班次",
        "max_leg" => "路程超过服务圈上限",
        "route_duration" => "超过最长工作时长",
        "no_room" => "当天排不下",
        "break" => "与午休冲突",
        "ride_time" => "送餐超时",
        "box_capacity" => "超出保温箱容量",
        "capacity" => "容量已满",
        "max_commute" => "通勤过长",
        "no_travel_time" => "没有行程时间",
        _ => return None,
    })
}

/// What a `not_found` names.
fn what_zh(what: &str) -> &str {
    match what {
        "order" => "订单",
        "visit" => "服务",
        "station" => "站点",
        "caregiver" => "护理员",
        "client" => "服务对象",
        "plan" => "计划",
        "alert" => "告警",
        "team" | "teams" => "班组",
        "stations" => "站点",
        "caregivers" => "护理员",
        "clients" => "服务对象",
        "packages" => "服务套餐",
        "canteens" => "长者食堂",
        "pools" => "站点联合体",
        "token" => "令牌",
        other => other,
    }
}

/// The Chinese detail of a problem of `code` with `params`; `english` is the detail as
/// raised.
pub fn chinese(code: &str, params: &Value, english: &str) -> String {
    let with_reason = |lead: &str| {
        if english.is_empty() {
            lead.to_string()
        } else {
            format!("{lead}：{english}")
        }
    };
    match code {
        "invalid" => format!("{}：无效（{}）", text(params, "field"), text(params, "reason")),
        "not_found" if params.get("what").is_some() => {
            format!("没有{} {}", what_zh(text(params, "what")), text(params, "id"))
        }
        "not_found" => with_reason("未找到"),
        "unauthorized" => with_reason("未登录或令牌无效"),
        "forbidden" => with_reason("无权执行此操作"),
        "conflict" => with_reason("与当前状态冲突"),
        "in_progress" => format!(
            "使用同一幂等键的第一个请求仍在处理，请 {} 秒后重试",
            params.get("retry_after_s").and_then(Value::as_i64).unwrap_or(1)
        ),
        "internal" => "服务器内部错误，已记录".to_string(),
        "http.405" => "不支持此请求方法".to_string(),
        "http.408" => "请求超时".to_string(),
        "http.413" => with_reason("请求体过大"),
        "http.415" => with_reason("不支持的内容类型"),
        code => match code.strip_prefix("rule.") {
            Some(rule) => {
                let why = rule_zh(rule).unwrap_or(rule);
                format!("{}：违反规则“{why}”（{english}）", text(params, "field"))
            }
            None => with_reason(&format!("请求失败（{code}）")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn asking(value: &str) -> Language {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).expect("header"));
        Language::of(&headers)
    }

    #[test]
    fn chinese_unless_english_weighs_more() {
        assert_eq!(Language::of(&HeaderMap::new()), Language::Chinese);
        assert_eq!(asking("en"), Language::English);
        assert_eq!(asking("en-GB,en;q=0.9"), Language::English);
        assert_eq!(asking("zh-CN,zh;q=0.9,en;q=0.8"), Language::Chinese);
        assert_eq!(asking("fr, en;q=0.5"), Language::English);
        assert_eq!(asking("fr"), Language::Chinese);
        assert_eq!(asking("english"), Language::Chinese);
    }

    #[test]
    fn details_come_from_codes_and_parameters() {
        let invalid = chinese("invalid", &json!({"field": "date", "reason": "not a date"}), "");
        assert_eq!(invalid, "date：无效（not a date）");
        let missing =
            chinese("not_found", &json!({"what": "order", "id": "V9"}), "no order \"V9\"");
        assert_eq!(missing, "没有订单 V9");
        let rule = chinese(
            "rule.skills",
            &json!({"field": "caregiver", "rule": "skills"}),
            "lacks bathing",
        );
        assert!(rule.contains("技能不符") && rule.starts_with("caregiver"), "{rule}");
        assert!(chinese("in_progress", &json!({"retry_after_s": 1}), "").contains("1 秒"));
        assert!(chinese("conflict", &json!({}), "plan 3 is running").ends_with("plan 3 is running"));
    }
}
