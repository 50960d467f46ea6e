//! Access control: bearer tokens (stored only as SHA-256 hashes) and the four roles.
//!
//! - admin: everything;
//! - dispatcher: the master data, orders, plans, stream and alerts of their stations;
//! - caregiver: their own route, check-ins and positions (`/v1/me/...`), nothing else;
//! - planner: reads everything and asks the planner's questions; writes nothing.

use crate::app::AppState;
use crate::error::AppError;
use crate::store::TokenRow;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Dispatcher,
    Caregiver,
    Planner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Dispatcher, Role::Caregiver, Role::Planner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Dispatcher => "dispatcher",
            Role::Caregiver => "caregiver",
            Role::Planner => "planner",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            format!("unknown role {s:?} (expected admin, dispatcher, caregiver or planner)")
        })
    }
}

/// A new random token (`cc_` and 64 hex digits) and its hash, which is all that is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("cc_{}", hex(&bytes));
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a token and stores its hash; returns the token, which is shown only this once.
/// A dispatcher needs at least one station, a caregiver token names the caregiver; every
/// station and caregiver named must exist.
pub async fn create_token(
    store: &crate::store::Store,
    role: Role,
    stations: &[String],
    caregiver: Option<&str>,
    label: &str,
) -> Result<String, AppError> {
    create_expiring_token(store, role, stations, caregiver, label, None).await
}

/// [`create_token`], working until `expires_ms` (ms since the epoch) when given.
pub async fn create_expiring_token(
    store: &crate::store::Store,
    role: Role,
    stations: &[String],
    caregiver: Option<&str>,
    label: &str,
    expires_ms: Option<i64>,
) -> Result<String, AppError> {
    match role {
        Role::Dispatcher if stations.is_empty() => {
            return Err(AppError::invalid(
                "station",
                "a dispatcher token needs at least one station",
            ))
        }
        Role::Caregiver if caregiver.is_none() => {
            return Err(AppError::invalid("caregiver", "a caregiver token names the caregiver"))
        }
        _ => {}
    }
    for s in stations {
        if store.station(s).await?.is_none() {
            return Err(AppError::invalid("station", format!("unknown station {s:?}")));
        }
    }
    if let Some(c) = caregiver {
        if store.caregiver(c).await?.is_none() {
            return Err(AppError::invalid("caregiver", format!("unknown caregiver {c:?}")));
        }
    }
    let (token, hash) = new_token();
    let row = TokenRow {
        role,
        stations: if role == Role::Dispatcher { stations.to_vec() } else { Vec::new() },
        caregiver: if role == Role::Caregiver { caregiver.map(str::to_string) } else { None },
        label: label.to_string(),
        expires_ms,
        revoked_ms: None,
    };
    store.insert_token(&hash, &row).await?;
    Ok(token)
}

/// Tokens already looked up, each for its `fresh` time ([`TOKEN_FRESH`] by default): a token
/// revoked on another replica is refused within that time (at once on the replica that
/// revoked it); expiry is checked on every request. A `fresh` of zero reads every token on
/// every request.
#[derive(Debug)]
pub struct TokenCache {
    seen: RwLock<HashMap<String, (std::time::Instant, TokenRow)>>,
    fresh: std::time::Duration,
}

/// How long a looked-up token is trusted before it is read again, by default.
pub const TOKEN_FRESH: std::time::Duration = std::time::Duration::from_secs(5);

impl Default for TokenCache {
    fn default() -> TokenCache {
        TokenCache::new(TOKEN_FRESH)
    }
}

impl TokenCache {
    pub fn new(fresh: std::time::Duration) -> TokenCache {
        TokenCache { seen: RwLock::default(), fresh }
    }

    fn get(&self, hash: &str) -> Option<TokenRow> {
        let seen = self.seen.read().ok()?;
        seen.get(hash).filter(|(at, _)| at.elapsed() < self.fresh).map(|(_, row)| row.clone())
    }

    fn keep(&self, hash: String, row: &TokenRow) {
        if self.fresh.is_zero() {
            return;
        }
        if let Ok(mut seen) = self.seen.write() {
            seen.insert(hash, (std::time::Instant::now(), row.clone()));
        }
    }

    /// Forgets every token (after a revocation here).
    pub fn clear(&self) {
        if let Ok(mut seen) = self.seen.write() {
            seen.clear();
        }
    }
}

/// The caller of a request, from its `Authorization: Bearer` token.
#[derive(Clone, Debug)]
pub struct Caller {
    pub role: Role,
    pub stations: Vec<String>,
    pub caregiver: Option<String>,
    /// The token's label, or its role when it has none: who acted, for people to read.
    pub label: String,
    /// Idempotency keys are the caller's own: two callers may use the same key.
    pub key_scope: String,
}

impl Caller {
    /// `403` unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("a {} token may not do this", self.role.as_str())))
        }
    }

    /// Stations whose data the caller may read; `None`: all of them.
    pub fn readable_stations(&self) -> Option<Vec<String>> {
        match self.role {
            Role::Admin | Role::Planner => None,
            Role::Dispatcher => Some(self.stations.clone()),
            Role::Caregiver => Some(Vec::new()),
        }
    }

    /// Whether the caller may read the station's data.
    pub fn sees(&self, station: &str) -> bool {
        self.readable_stations().is_none_or(|s| s.iter().any(|s| s == station))
    }

    /// `hidden()` unless the caller may read the station's data. `hidden` is the answer an
    /// unknown id gets (`404 no order "X"`), so another station's ids cannot be told apart
    /// from ids that do not exist.
    pub fn read_station(
        &self,
        station: &str,
        hidden: impl FnOnce() -> AppError,
    ) -> Result<(), AppError> {
        if self.sees(station) {
            Ok(())
        } else {
            Err(hidden())
        }
    }

    /// `403` unless the caller's role writes station data; then as [`Caller::read_station`].
    pub fn write_station(
        &self,
        station: &str,
        hidden: impl FnOnce() -> AppError,
    ) -> Result<(), AppError> {
        self.require(&[Role::Admin, Role::Dispatcher])?;
        self.read_station(station, hidden)
    }

    /// The stations a `?station=` filter leaves: the named one when the caller may read it,
    /// none when not (the same empty answer as for a station that does not exist); without a
    /// filter, what the caller may read (`None`: all).
    pub fn station_filter(&self, station: Option<&str>) -> Option<Vec<String>> {
        match station {
            Some(s) if self.sees(s) => Some(vec![s.to_string()]),
            Some(_) => Some(Vec::new()),
            None => self.readable_stations(),
        }
    }

    /// The caregiver a caregiver token speaks for.
    pub fn own_caregiver(&self) -> Result<&str, AppError> {
        self.require(&[Role::Caregiver])?;
        self.caregiver
            .as_deref()
            .ok_or_else(|| AppError::Forbidden("this token names no caregiver".into()))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, AppError> {
        let unauthorized = |why: &str| AppError::Unauthorized(why.to_string());
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("send Authorization: Bearer <token>"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| unauthorized("the Authorization header must be Bearer <token>"))?;
        let hash = token_hash(token);
        let row = match state.tokens.get(&hash) {
            Some(row) => row,
            None => {
                let row =
                    state.store.token(&hash).await?.ok_or_else(|| unauthorized("unknown token"))?;
                state.tokens.keep(hash.clone(), &row);
                row
            }
        };
        if row.revoked_ms.is_some() {
            return Err(unauthorized("this token was revoked"));
        }
        if row.expires_ms.is_some_and(|at| crate::store::now_ms() >= at) {
            return Err(unauthorized("this token has expired"));
        }
        Ok(Caller {
            role: row.role,
            stations: row.stations,
            caregiver: row.caregiver,
            label: if row.label.is_empty() { row.role.as_str().to_string() } else { row.label },
            key_scope: hash[..16].to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_ne!(a, b);
        assert_eq!(ha, token_hash(&a));
        assert_ne!(ha, hb);
        assert!(!ha.contains(&a[3..]));
        assert_eq!(a.len(), 67);
    }
}
