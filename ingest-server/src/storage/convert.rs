//! Checked conversions between the domain's types and what the databases store.
//!
//! Both databases only have signed 64-bit integers and byte strings, so every
//! u64 goes through here: a value that does not fit is an integrity error, never a
//! silent wrap that would make two different log indices collide.

use ledger::Hash;

use super::types::StorageError;

/// A u64 (log index, sequence number, size) as a BIGINT.
pub(crate) fn to_i64(what: &str, value: u64) -> Result<i64, StorageError> {
    i64::try_from(value)
        .map_err(|_| StorageError::Integrity(format!("{what} {value} does not fit a BIGINT")))
}

/// A stored BIGINT back to the u64 it was written from.
pub(crate) fn to_u64(what: &str, value: i64) -> Result<u64, StorageError> {
    u64::try_from(value)
        .map_err(|_| StorageError::Integrity(format!("stored {what} {value} is negative")))
}

/// A stored hash column; anything but 32 bytes means the row was damaged.
pub(crate) fn to_hash(what: &str, bytes: &[u8]) -> Result<Hash, StorageError> {
    Hash::from_slice(bytes).map_err(|_| {
        StorageError::Integrity(format!("stored {what} is {} bytes, not 32", bytes.len()))
    })
}

/// A stored tree level (SMALLINT / INTEGER) back to the u8 of a NodeId.
pub(crate) fn to_level(value: i64) -> Result<u8, StorageError> {
    u8::try_from(value)
        .map_err(|_| StorageError::Integrity(format!("stored tree level {value} is out of range")))
}

/// A row count from a `usize` length (queue sizes, limits).
pub(crate) fn len_i64(what: &str, value: usize) -> Result<i64, StorageError> {
    i64::try_from(value)
        .map_err(|_| StorageError::Integrity(format!("{what} {value} does not fit a BIGINT")))
}

/// The allowed-origins column: a JSON array of strings.
pub(crate) fn origins_to_json(origins: &[String]) -> Result<String, StorageError> {
    serde_json::to_string(origins)
        .map_err(|e| StorageError::Integrity(format!("allowed origins cannot be encoded: {e}")))
}

pub(crate) fn origins_from_json(text: &str) -> Result<Vec<String>, StorageError> {
    serde_json::from_str(text).map_err(|e| {
        StorageError::Integrity(format!("stored allowed_origins is not a JSON array: {e}"))
    })
}

/// A failed project insert: a unique violation names what already exists.
pub(crate) fn project_insert_error(
    e: sqlx::Error,
    project: &super::types::NewProject,
) -> StorageError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        // Postgres names the constraint, SQLite the column; both mention write_key.
        let on_key = db
            .constraint()
            .unwrap_or(db.message())
            .contains("write_key");
        let what = if on_key {
            "a project with this write key".to_owned()
        } else {
            format!("project {}", project.id)
        };
        return StorageError::Duplicate { what };
    }
    e.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_that_do_not_fit_are_integrity_errors_not_wraps() {
        assert_eq!(to_i64("x", 5).ok(), Some(5));
        assert!(matches!(
            to_i64("x", u64::MAX),
            Err(StorageError::Integrity(_))
        ));
        assert!(matches!(to_u64("x", -1), Err(StorageError::Integrity(_))));
        assert!(matches!(to_level(256), Err(StorageError::Integrity(_))));
        assert!(matches!(
            to_hash("x", &[0; 31]),
            Err(StorageError::Integrity(_))
        ));
        assert_eq!(to_hash("x", &[1; 32]).ok(), Some(Hash([1; 32])));
    }

    #[test]
    fn origins_round_trip_as_a_json_array() {
        let origins = vec!["https://a.example".to_owned(), "*".to_owned()];
        let text = origins_to_json(&origins).expect("encodes");
        assert_eq!(text, r#"["https://a.example","*"]"#);
        assert_eq!(origins_from_json(&text).expect("decodes"), origins);
        assert!(origins_from_json("{}").is_err());
    }
}
