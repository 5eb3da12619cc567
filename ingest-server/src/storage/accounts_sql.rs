//! Users and logins, written once for both stores (`shared_sql`).
//!
//! Columns whose types differ between the stores are read through SQL that
//! means the same on both: `disabled` (SQLite INTEGER, PostgreSQL BOOLEAN) as
//! a BIGINT 0 or 1, and inserts leave it to its default.

use sqlx::{Pool, QueryBuilder};

use super::StorageError;
use super::accounts::{LoginRow, NewLogin, NewUser, UserRow, role_from_db};
use super::shared_sql::{Bind, SqlDialect, push_values};

const USER_COLUMNS: &str = "SELECT u.name, u.password_hash, u.role, \
     CAST(CASE WHEN u.disabled THEN 1 ELSE 0 END AS BIGINT) AS disabled, u.created_at_ms";

/// See [`crate::storage::Storage::create_user`].
pub(crate) async fn create_user<DB: SqlDialect>(
    pool: &Pool<DB>,
    user: &NewUser,
) -> Result<(), StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO users (name, password_hash, role, created_at_ms) VALUES (",
    );
    push_values(
        &mut qb,
        [
            Bind::Text(user.name.clone()),
            Bind::Text(user.password_hash.clone()),
            Bind::Text(user.role.as_str().to_owned()),
            Bind::I64(user.created_at_ms),
        ],
    );
    qb.push(")");
    let mut conn = pool.acquire().await?;
    DB::execute(&mut conn, &mut qb)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Duplicate {
                what: format!("user {}", user.name),
            },
            _ => e.into(),
        })?;
    Ok(())
}

/// See [`crate::storage::Storage::user`].
pub(crate) async fn user<DB: SqlDialect>(
    pool: &Pool<DB>,
    name: &str,
) -> Result<Option<UserRow>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(format!("{USER_COLUMNS} FROM users u WHERE u.name = "));
    DB::bind(&mut qb, Bind::Text(name.to_owned()));
    let mut conn = pool.acquire().await?;
    DB::fetch_optional(&mut conn, &mut qb)
        .await?
        .map(|row| user_row::<DB>(&row))
        .transpose()
}

/// See [`crate::storage::Storage::list_users`].
pub(crate) async fn list_users<DB: SqlDialect>(
    pool: &Pool<DB>,
) -> Result<Vec<UserRow>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(format!("{USER_COLUMNS} FROM users u ORDER BY u.name"));
    let mut conn = pool.acquire().await?;
    DB::fetch_all(&mut conn, &mut qb)
        .await?
        .iter()
        .map(user_row::<DB>)
        .collect()
}

/// See [`crate::storage::Storage::create_login`]: expired logins go as new ones
/// come, so the table does not grow forever.
pub(crate) async fn create_login<DB: SqlDialect>(
    pool: &Pool<DB>,
    login: &NewLogin,
) -> Result<(), StorageError> {
    let mut tx = pool.begin().await?;
    let mut sweep = QueryBuilder::<DB>::new("DELETE FROM login_sessions WHERE expires_at_ms <= ");
    DB::bind(&mut sweep, Bind::I64(login.created_at_ms));
    DB::execute(&mut tx, &mut sweep).await?;
    let mut insert = QueryBuilder::<DB>::new(
        "INSERT INTO login_sessions (token_hash, user_name, csrf_token, created_at_ms, expires_at_ms) VALUES (",
    );
    push_values(
        &mut insert,
        [
            Bind::Bytes(login.token_hash.to_vec()),
            Bind::Text(login.user.clone()),
            Bind::Text(login.csrf_token.clone()),
            Bind::I64(login.created_at_ms),
            Bind::I64(login.expires_at_ms),
        ],
    );
    insert.push(")");
    DB::execute(&mut tx, &mut insert).await?;
    tx.commit().await?;
    Ok(())
}

/// See [`crate::storage::Storage::login`].
pub(crate) async fn login<DB: SqlDialect>(
    pool: &Pool<DB>,
    token_hash: &[u8; 32],
    now_ms: i64,
) -> Result<Option<LoginRow>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(format!(
        "{USER_COLUMNS}, l.csrf_token, l.expires_at_ms FROM login_sessions l \
         JOIN users u ON u.name = l.user_name WHERE l.token_hash = "
    ));
    DB::bind(&mut qb, Bind::Bytes(token_hash.to_vec()));
    qb.push(" AND l.expires_at_ms > ");
    DB::bind(&mut qb, Bind::I64(now_ms));
    let mut conn = pool.acquire().await?;
    DB::fetch_optional(&mut conn, &mut qb)
        .await?
        .map(|row| {
            Ok(LoginRow {
                user: user_row::<DB>(&row)?,
                csrf_token: DB::text_at(&row, "csrf_token")?,
                expires_at_ms: DB::i64_at(&row, "expires_at_ms")?,
            })
        })
        .transpose()
}

/// See [`crate::storage::Storage::delete_login`].
pub(crate) async fn delete_login<DB: SqlDialect>(
    pool: &Pool<DB>,
    token_hash: &[u8; 32],
) -> Result<(), StorageError> {
    let mut qb = QueryBuilder::<DB>::new("DELETE FROM login_sessions WHERE token_hash = ");
    DB::bind(&mut qb, Bind::Bytes(token_hash.to_vec()));
    let mut conn = pool.acquire().await?;
    DB::execute(&mut conn, &mut qb).await?;
    Ok(())
}

fn user_row<DB: SqlDialect>(row: &DB::Row) -> Result<UserRow, StorageError> {
    Ok(UserRow {
        name: DB::text_at(row, "name")?,
        password_hash: DB::text_at(row, "password_hash")?,
        role: role_from_db(&DB::text_at(row, "role")?)?,
        disabled: DB::i64_at(row, "disabled")? != 0,
        created_at_ms: DB::i64_at(row, "created_at_ms")?,
    })
}
