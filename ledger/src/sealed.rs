//! Payloads at rest: sealed with a per-session data key, so destroying the key
//! erases the recording while the log still verifies (decision 0016).
//!
//! Entries commit to the *sealed* bytes, so every hash, chain link and proof
//! holds with or without the key. The nonce is derived from the session and
//! the batch number rather than drawn at random: a retried batch seals to the
//! same bytes (so duplicates are recognised by hash, as before), and AES-GCM-SIV
//! keeps a repeated nonce safe — two different batches under one nonce reveal
//! only whether they are equal. Data keys are themselves sealed ("wrapped") by
//! the server's master key for storage, with a random nonce.

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use uuid::Uuid;

use crate::hash::sha256;

/// A session's data key.
pub const KEY_LEN: usize = 32;
/// Bytes a sealed payload is longer than the plain one: the AEAD tag.
pub const SEAL_OVERHEAD: usize = 16;
const NONCE_LEN: usize = 12;
const PAYLOAD_AAD: &[u8] = b"affidavit/payload/1\0";
const WRAP_AAD: &[u8] = b"affidavit/data-key/1\0";

#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// Wrong key, wrong session or batch, or altered bytes: AEAD cannot tell which.
    #[error("the sealed bytes do not open with this key for this session and batch")]
    DoesNotOpen,
    #[error("a wrapped data key is {0} bytes; expected {expected}", expected = NONCE_LEN + KEY_LEN + 16)]
    BadWrappedLength(usize),
}

fn cipher(key: &[u8; KEY_LEN]) -> Aes256GcmSiv {
    Aes256GcmSiv::new(key.into())
}

fn aad(domain: &[u8], session: &Uuid, seq: Option<u64>) -> Vec<u8> {
    let mut out = domain.to_vec();
    out.extend_from_slice(session.as_bytes());
    if let Some(seq) = seq {
        out.extend_from_slice(&seq.to_be_bytes());
    }
    out
}

fn payload_nonce(session: &Uuid, batch_seq: u64) -> [u8; NONCE_LEN] {
    let digest = sha256(&aad(b"affidavit/nonce/1\0", session, Some(batch_seq)));
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&digest.as_bytes()[..NONCE_LEN]);
    nonce
}

/// Seals batch `batch_seq` of `session`; the same inputs always give the same bytes.
pub fn seal_payload(key: &[u8; KEY_LEN], session: &Uuid, batch_seq: u64, plain: &[u8]) -> Vec<u8> {
    let nonce = payload_nonce(session, batch_seq);
    let aad = aad(PAYLOAD_AAD, session, Some(batch_seq));
    cipher(key)
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        // Encryption fails only for inputs beyond 2^36 bytes, far above any batch limit.
        .unwrap_or_default()
}

/// Opens what [`seal_payload`] sealed, checking it was sealed for this session and batch.
pub fn open_payload(
    key: &[u8; KEY_LEN],
    session: &Uuid,
    batch_seq: u64,
    sealed: &[u8],
) -> Result<Vec<u8>, SealError> {
    let nonce = payload_nonce(session, batch_seq);
    let aad = aad(PAYLOAD_AAD, session, Some(batch_seq));
    cipher(key)
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::DoesNotOpen)
}

/// Wraps a data key with the master key, bound to its session; `nonce` must be random.
pub fn wrap_key(
    master: &[u8; KEY_LEN],
    session: &Uuid,
    data_key: &[u8; KEY_LEN],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    let aad = aad(WRAP_AAD, session, None);
    let mut out = nonce.to_vec();
    out.extend(
        cipher(master)
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: data_key,
                    aad: &aad,
                },
            )
            .unwrap_or_default(),
    );
    out
}

pub fn unwrap_key(
    master: &[u8; KEY_LEN],
    session: &Uuid,
    wrapped: &[u8],
) -> Result<[u8; KEY_LEN], SealError> {
    if wrapped.len() != NONCE_LEN + KEY_LEN + 16 {
        return Err(SealError::BadWrappedLength(wrapped.len()));
    }
    let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::DoesNotOpen)?;
    let aad = aad(WRAP_AAD, session, None);
    let key = cipher(master)
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::DoesNotOpen)?;
    key.try_into().map_err(|_| SealError::DoesNotOpen)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn session(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn sealing_is_deterministic_and_bound_to_session_batch_and_key() {
        let a = seal_payload(&KEY, &session(1), 0, b"batch zero");
        assert_eq!(
            a,
            seal_payload(&KEY, &session(1), 0, b"batch zero"),
            "a retry seals alike"
        );
        assert_ne!(a, seal_payload(&KEY, &session(1), 1, b"batch zero"));
        assert_ne!(&a[..10], b"batch zero", "the bytes are not the plain text");
        assert_eq!(
            open_payload(&KEY, &session(1), 0, &a).as_deref(),
            Ok(&b"batch zero"[..])
        );
        assert_eq!(
            open_payload(&KEY, &session(1), 1, &a),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            open_payload(&KEY, &session(2), 0, &a),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            open_payload(&[8; 32], &session(1), 0, &a),
            Err(SealError::DoesNotOpen)
        );
        for i in 0..a.len() {
            let mut flipped = a.clone();
            flipped[i] ^= 1;
            assert_eq!(
                open_payload(&KEY, &session(1), 0, &flipped),
                Err(SealError::DoesNotOpen)
            );
        }
    }

    #[test]
    fn wrapped_keys_open_only_with_the_master_key_for_their_session() {
        let wrapped = wrap_key(&KEY, &session(1), &[3; 32], [9; 12]);
        assert_eq!(unwrap_key(&KEY, &session(1), &wrapped), Ok([3; 32]));
        assert_eq!(
            unwrap_key(&KEY, &session(2), &wrapped),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            unwrap_key(&[1; 32], &session(1), &wrapped),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            unwrap_key(&KEY, &session(1), &wrapped[1..]),
            Err(SealError::BadWrappedLength(59))
        );
    }
}
