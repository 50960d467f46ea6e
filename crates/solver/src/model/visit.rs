use super::{LocationIdx, Seconds, TimeWindow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The kind of service a visit delivers. The six services ("六助") are variants; any other
/// kind (health check, home rounds, companionship, ...) is data: [`ServiceKind::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(with = "String"))]
pub enum ServiceKind {
    /// 助餐
    Meal,
    /// 助洁
    Cleaning,
    /// 助浴
    Bathing,
    /// 助行
    Escort,
    /// 助医
    Medical,
    /// 生活照料
    PersonalCare,
    Other(String),
}

impl ServiceKind {
    pub const SIX: [ServiceKind; 6] = [
        ServiceKind::Meal,
        ServiceKind::Cleaning,
        ServiceKind::Bathing,
        ServiceKind::Escort,
        ServiceKind::Medical,
        ServiceKind::PersonalCare,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            ServiceKind::Meal => "meal",
            ServiceKind::Cleaning => "cleaning",
            ServiceKind::Bathing => "bathing",
            ServiceKind::Escort => "escort",
            ServiceKind::Medical => "medical",
            ServiceKind::PersonalCare => "personal_care",
            ServiceKind::Other(s) => s,
        }
    }
}

impl From<String> for ServiceKind {
    fn from(s: String) -> ServiceKind {
        match s.as_str() {
            "meal" => ServiceKind::Meal,
            "cleaning" => ServiceKind::Cleaning,
            "bathing" => ServiceKind::Bathing,
            "escort" => ServiceKind::Escort,
            "medical" => ServiceKind::Medical,
            "personal_care" => ServiceKind::PersonalCare,
            _ => ServiceKind::Other(s),
        }
    }
}

impl From<ServiceKind> for String {
    fn from(k: ServiceKind) -> String {
        k.as_str().to_string()
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One home visit (上门服务) to be assigned to a caregiver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// External id, unique in the problem; plans refer to visits by it.
    pub id: String,
    /// The client visited, if known (Solomon customers have none).
    pub client: Option<String>,
    pub location: LocationIdx,
    pub service: ServiceKind,
    /// Time spent at the client's home.
    pub duration: Seconds,
    /// Windows in which the visit may start; sorted, disjoint, at least one.
    pub windows: Vec<TimeWindow>,
    /// Skills a caregiver must hold, all of them.
    pub skills: Vec<String>,
    /// Higher is more important; an unassigned visit costs more the higher its priority.
    pub priority: u32,
    /// Load taken from the caregiver's capacity (VRPTW demand); 0 for most home care.
    pub demand: i64,
    /// Soft deadline for the start: starting later is allowed (inside a window) but each
    /// second after it costs lateness (see [`SoftCosts`](super::SoftCosts)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Seconds>,
    /// Service time by caregiver id where it differs from `duration` (a trainee is slower).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub duration_for: BTreeMap<String, Seconds>,
    /// The client's usual caregivers (continuity of care): anyone else costs
    /// `SoftCosts::non_preferred`. Empty: no preference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred: Vec<String>,
    /// Caregivers the client refuses (hard).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
    /// Only a female caregiver may serve it (bathing, personal care; hard).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub female_only: bool,
    /// The station whose client it is, in a problem of several stations (a pool): its own
    /// caregivers serve it wherever it is, others only inside their circle's reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
}

impl Visit {
    /// How long after its `due` time a service starting at `start` begins (0 if on time or
    /// without a `due`).
    pub fn lateness(&self, start: Seconds) -> Seconds {
        self.due.map_or(Seconds::ZERO, |due| Seconds((start - due).0.max(0)))
    }
}
