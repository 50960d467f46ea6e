//! Bearer tokens, kept only as SHA-256 hashes.

use super::{now_ms, Store};
use crate::auth::Role;
use crate::error::AppError;
use sqlx::Row;

/// Who a token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub role: Role,
    /// A dispatcher's stations.
    pub stations: Vec<String>,
    /// A caregiver's own id.
    pub caregiver: Option<String>,
    /// Who it was made for (`token create --label`): shown where the token's holder acted.
    pub label: String,
    /// When it stops working (ms since the epoch), if ever.
    pub expires_ms: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_ms: Option<i64>,
}

/// A token as lists show it: its public id (the first 12 hex digits of its hash), never the
/// secret.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct TokenInfo {
    pub id: String,
    pub role: String,
    pub stations: Vec<String>,
    pub caregiver: Option<String>,
    pub label: String,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    pub revoked_ms: Option<i64>,
}

/// The public id of the token with hash `hash`.
pub fn token_id(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn stations_of(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl Store {
    pub async fn insert_token(&self, hash: &str, token: &TokenRow) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO tokens (hash, role, stations, caregiver, label, created_ms, expires_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash)
        .bind(token.role.as_str())
        .bind(token.stations.join(","))
        .bind(token.caregiver.as_deref())
        .bind(&token.label)
        .bind(now_ms())
        .bind(token.expires_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn token(&self, hash: &str) -> Result<Option<TokenRow>, AppError> {
        let row = sqlx::query(
            "SELECT role, stations, caregiver, label, expires_ms, revoked_ms FROM tokens \
                 WHERE hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let role = r.get::<&str, _>("role");
            let role = Role::parse(role).map_err(AppError::Internal)?;
            let stations: &str = r.get("stations");
            Ok(TokenRow {
                role,
                stations: stations_of(stations),
                caregiver: r.get("caregiver"),
                label: r.get("label"),
                expires_ms: r.get("expires_ms"),
                revoked_ms: r.get("revoked_ms"),
            })
        })
        .transpose()
    }

    /// Every token, newest first, by its public id.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, AppError> {
        let rows = sqlx::query(
            "SELECT hash, role, stations, caregiver, label, created_ms, expires_ms, revoked_ms \
             FROM tokens ORDER BY created_ms DESC, hash",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| TokenInfo {
                id: token_id(r.get("hash")),
                role: r.get("role"),
                stations: stations_of(r.get("stations")),
                caregiver: r.get("caregiver"),
                label: r.get("label"),
                created_ms: r.get("created_ms"),
                expires_ms: r.get("expires_ms"),
                revoked_ms: r.get("revoked_ms"),
            })
            .collect())
    }

    /// Revokes the token with public id `id` (the first 12 hex digits of its hash); `false`
    /// if there is none. Revoking twice keeps the first time.
    pub async fn revoke_token(&self, id: &str) -> Result<bool, AppError> {
        if id.len() != 12 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE tokens SET revoked_ms = COALESCE(revoked_ms, $1) WHERE substr(hash, 1, 12) = $2",
        )
        .bind(now_ms())
        .bind(id.to_ascii_lowercase())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
