//! Plausible home-care visits, shifts and names for generated scenarios. Durations and
//! windows follow the programmes' practice: meals around 11:00–12:30 and 17:00–18:30,
//! bathing longer and needing a bathing skill, personal care in the morning.

use formats::scenario::{Client, Contact, Phone};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use solver::ServiceKind;

const H: i64 = 3600;
const M: i64 = 60;

pub struct VisitTemplate {
    pub service: ServiceKind,
    pub duration: i64,
    pub window: (i64, i64),
    pub skills: Vec<String>,
    pub priority: u32,
}

/// Relative frequency of each service in a day's orders.
const MIX: [(ServiceKind, u32); 6] = [
    (ServiceKind::Meal, 35),
    (ServiceKind::Cleaning, 20),
    (ServiceKind::PersonalCare, 15),
    (ServiceKind::Bathing, 10),
    (ServiceKind::Escort, 10),
    (ServiceKind::Medical, 10),
];

fn between(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    rng.gen_range(lo..=hi)
}

/// Rounds to 5 minutes, as dispatchers book.
fn five(t: i64) -> i64 {
    t / (5 * M) * (5 * M)
}

pub fn draw(rng: &mut ChaCha8Rng) -> VisitTemplate {
    let total: u32 = MIX.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total);
    let mut service = ServiceKind::Meal;
    for (kind, w) in MIX {
        if pick < w {
            service = kind;
            break;
        }
        pick -= w;
    }
    let skill = |s: &str| vec![s.to_string()];
    match service {
        ServiceKind::Meal => {
            let window = if rng.gen_bool(0.7) {
                (11 * H, 12 * H + 30 * M)
            } else {
                (17 * H, 18 * H + 30 * M)
            };
            VisitTemplate {
                service,
                duration: five(between(rng, 10 * M, 20 * M)),
                window,
                skills: vec![],
                priority: 3,
            }
        }
        ServiceKind::Cleaning => {
            let window = if rng.gen_bool(0.5) {
                (8 * H + 30 * M, 16 * H)
            } else {
                (8 * H + 30 * M, 11 * H + 30 * M)
            };
            VisitTemplate {
                service,
                duration: five(between(rng, 45 * M, 90 * M)),
                window,
                skills: vec![],
                priority: 1,
            }
        }
        ServiceKind::PersonalCare => VisitTemplate {
            service,
            duration: five(between(rng, 30 * M, 45 * M)),
            window: (7 * H + 30 * M, 10 * H),
            skills: skill("nursing"),
            priority: 2,
        },
        ServiceKind::Bathing => VisitTemplate {
            service,
            duration: five(between(rng, 45 * M, 60 * M)),
            window: (9 * H, 16 * H),
            skills: skill("bathing"),
            priority: 2,
        },
        ServiceKind::Escort => {
            // An appointment (clinic, bank, market): start within half an hour of it.
            let at = five(between(rng, 9 * H, 14 * H));
            VisitTemplate {
                service,
                duration: five(between(rng, 60 * M, 120 * M)),
                window: (at, at + 30 * M),
                skills: vec![],
                priority: 2,
            }
        }
        _ => {
            let at = five(between(rng, 8 * H + 30 * M, 14 * H));
            VisitTemplate {
                service: ServiceKind::Medical,
                duration: five(between(rng, 45 * M, 90 * M)),
                window: (at, at + H),
                skills: skill("medical"),
                priority: 3,
            }
        }
    }
}

impl VisitTemplate {
    /// The template's start window as the model's windows.
    pub fn windows(&self) -> Vec<solver::TimeWindow> {
        vec![solver::TimeWindow::new(
            solver::Seconds(self.window.0),
            solver::Seconds(self.window.1),
        )]
    }
}

/// Services for which a client may want a female caregiver.
pub fn intimate(service: &ServiceKind) -> bool {
    matches!(service, ServiceKind::Bathing | ServiceKind::PersonalCare)
}

/// How often a package of this service recurs: `(visits a week, fixed days)`. Meals come
/// every day; the rest on days the planner picks.
pub fn weekly(service: &ServiceKind) -> (u32, bool) {
    match service {
        ServiceKind::Meal => (7, true),
        ServiceKind::Cleaning => (2, false),
        ServiceKind::PersonalCare => (3, false),
        _ => (1, false),
    }
}

/// Skills of a station's `rank`-th caregiver: the first three cover one skill each for sure.
pub fn caregiver_skills(rank: usize, rng: &mut ChaCha8Rng) -> Vec<String> {
    let all = [("bathing", 0.4), ("medical", 0.35), ("nursing", 0.5)];
    all.iter()
        .enumerate()
        .filter(|(i, (_, p))| rank == *i || rng.gen_bool(*p))
        .map(|(_, (s, _))| s.to_string())
        .collect()
}

/// The day shift of a station's `rank`-th caregiver: most work 08:00–17:00, some early, some
/// late; the first works late and the second early, so dinner meals and early personal care
/// can be staffed at every station.
pub fn shift(rank: usize, rng: &mut ChaCha8Rng) -> (i64, i64) {
    let draw = match rank {
        0 => 9,
        1 => 6,
        _ => rng.gen_range(0..10),
    };
    match draw {
        0..=5 => (8 * H, 17 * H),
        6 | 7 => (7 * H, 15 * H),
        _ => (10 * H, 19 * H),
    }
}

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const GIVEN: [&str; 24] = [
    "秀英", "桂英", "玉兰", "淑珍", "建国", "国华", "秀兰", "凤英", "丽", "敏", "静", "伟", "芳",
    "娜", "海燕", "红梅", "春梅", "志强", "秀珍", "玉珍", "明", "霞", "文华", "德胜",
];

pub fn person_name(rng: &mut ChaCha8Rng) -> String {
    let s = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let g = GIVEN[rng.gen_range(0..GIVEN.len())];
    format!("{s}{g}")
}

/// Who is called for a client, and what they are to them.
const RELATIONS: [&str; 6] = ["女儿", "儿子", "老伴", "儿媳", "侄子", "邻居"];

/// A mobile number of the form 1xx-0000-xxxx (the zeros make a real subscriber unlikely).
fn phone(rng: &mut ChaCha8Rng) -> Phone {
    let prefix = ["139", "138", "159", "186", "177"].choose(rng).copied().unwrap_or("139");
    let text = format!("{prefix}0000{:04}", rng.gen_range(0..10_000));
    Phone::parse(&text).unwrap_or_else(|why| unreachable!("a generated number {why}"))
}

/// The client's address on `street` (else their station's neighbourhood), most clients' own
/// phone, and one or two family members or neighbours to call.
pub fn reach(client: &mut Client, street: Option<&str>, rng: &mut ChaCha8Rng) {
    let number = rng.gen_range(1..=120);
    client.address = Some(match street {
        Some(street) => format!("{street} {number}号"),
        None => format!("{} 社区 {number}号", client.station),
    });
    client.phone = rng.gen_bool(0.8).then(|| phone(rng));
    let count = rng.gen_range(1..=2);
    client.contacts = (0..count)
        .map(|_| Contact {
            name: person_name(rng),
            relation: RELATIONS.choose(rng).map(|r| r.to_string()),
            phone: phone(rng),
        })
        .collect();
}
