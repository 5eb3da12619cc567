//! Users and logins on PostgreSQL.

use sqlx::Row;
use sqlx::postgres::PgRow;

use super::PostgresStore;
use crate::storage::accounts::{LoginRow, NewLogin, NewUser, UserRow, role_from_db};
use crate::storage::types::StorageError;

impl PostgresStore {
    pub(super) async fn create_user_impl(&self, user: &NewUser) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO users (name, password_hash, role, disabled, created_at_ms) \
             VALUES ($1, $2, $3, FALSE, $4)",
        )
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(user.created_at_ms)
        .execute(&self.pool)
        .await
        .map_err(|e| duplicate_user(e, &user.name))?;
        Ok(())
    }

    pub(super) async fn user_impl(&self, name: &str) -> Result<Option<UserRow>, StorageError> {
        sqlx::query("SELECT * FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| user(&row))
            .transpose()
    }

    pub(super) async fn list_users_impl(&self) -> Result<Vec<UserRow>, StorageError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user).collect()
    }

    pub(super) async fn create_login_impl(&self, login: &NewLogin) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        // Expired logins go as new ones come, so the table does not grow forever.
        sqlx::query("DELETE FROM login_sessions WHERE expires_at_ms <= $1")
            .bind(login.created_at_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO login_sessions (token_hash, user_name, csrf_token, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(login.token_hash.as_slice())
        .bind(&login.user)
        .bind(&login.csrf_token)
        .bind(login.created_at_ms)
        .bind(login.expires_at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn login_impl(
        &self,
        token_hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<LoginRow>, StorageError> {
        let row = sqlx::query(
            "SELECT u.*, l.csrf_token, l.expires_at_ms FROM login_sessions l \
             JOIN users u ON u.name = l.user_name \
             WHERE l.token_hash = $1 AND l.expires_at_ms > $2",
        )
        .bind(token_hash.as_slice())
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(LoginRow {
                user: user(&row)?,
                csrf_token: row.try_get("csrf_token")?,
                expires_at_ms: row.try_get("expires_at_ms")?,
            })
        })
        .transpose()
    }

    pub(super) async fn delete_login_impl(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM login_sessions WHERE token_hash = $1")
            .bind(token_hash.as_slice())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn user(row: &PgRow) -> Result<UserRow, StorageError> {
    Ok(UserRow {
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        role: role_from_db(&row.try_get::<String, _>("role")?)?,
        disabled: row.try_get("disabled")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn duplicate_user(e: sqlx::Error, name: &str) -> StorageError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Duplicate {
            what: format!("user {name}"),
        },
        _ => e.into(),
    }
}
