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
}

impl Store {
    pub async fn insert_token(&self, hash: &str, token: &TokenRow) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO tokens (hash, role, stations, caregiver, label, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hash)
        .bind(token.role.as_str())
        .bind(token.stations.join(","))
        .bind(token.caregiver.as_deref())
        .bind(&token.label)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn token(&self, hash: &str) -> Result<Option<TokenRow>, AppError> {
        let row =
            sqlx::query("SELECT role, stations, caregiver, label FROM tokens WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            let role = r.get::<&str, _>("role");
            let role = Role::parse(role).map_err(AppError::Internal)?;
            let stations: &str = r.get("stations");
            Ok(TokenRow {
                role,
                stations: stations
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                caregiver: r.get("caregiver"),
                label: r.get("label"),
            })
        })
        .transpose()
    }
}
