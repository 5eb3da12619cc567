//! Note keys in the golang.org/x/mod/sumdb/note text encoding.
//!
//! Private: `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`
//! Public:  `<name>+<hex key id>+<base64(0x01 || public key)>`
//! Key id: the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key),
//! so a key id commits to both the name and the key.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{SigningKey, VerifyingKey};

use super::CheckpointError;
use crate::hash::sha256;

/// Algorithm byte for Ed25519, the only one the note format defines.
const ALG_ED25519: u8 = 0x01;

/// A log's signing key: its name (the note signer name) and Ed25519 key.
#[derive(Clone)]
pub struct LogSigner {
    pub(super) name: String,
    pub(super) key_id: [u8; 4],
    pub(super) key: SigningKey,
}

/// A log's public key, pinned by verifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogVerifier {
    pub(super) name: String,
    pub(super) key_id: [u8; 4],
    pub(super) key: VerifyingKey,
}

impl fmt::Debug for LogSigner {
    // Never print key material, not even through a dependency's Debug.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogSigner")
            .field("name", &self.name)
            .field("key_id", &hex::encode(self.key_id))
            .finish_non_exhaustive()
    }
}

impl LogSigner {
    /// A signer from a 32-byte Ed25519 seed (the caller owns randomness).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, CheckpointError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(&seed);
        let key_id = key_id(name, key.verifying_key().as_bytes());
        Ok(LogSigner {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// Parses a C2SP/golang note private key: `PRIVATE+KEY+<name>+<hex keyid>+<base64(0x01||seed)>`.
    pub fn parse(skey: &str) -> Result<Self, CheckpointError> {
        let mut parts = skey.splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(name), Some(id), Some(key)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(malformed("expected PRIVATE+KEY+<name>+<key id>+<key>"));
        };
        let seed = decode_key(key)?;
        let signer = Self::from_seed(name, seed)?;
        check_key_id(id, signer.key_id)?;
        Ok(signer)
    }

    /// The private key text that `parse` reads. Secret: handle like a password.
    pub fn to_skey(&self) -> String {
        format!(
            "PRIVATE+KEY+{}",
            encode_key(&self.name, self.key_id, &self.key.to_bytes())
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// A 32-byte secret for another purpose, derived from this key so that a
    /// deployment keeps one secret:
    /// `SHA-256("affidavit/derived-key\0" || u64 len(context) || context || seed)`.
    /// Distinct contexts give independent secrets; none reveals the signing key.
    pub fn derive_secret(&self, context: &str) -> [u8; 32] {
        let mut input = Vec::with_capacity(64 + context.len());
        input.extend_from_slice(b"affidavit/derived-key\0");
        input.extend_from_slice(&(context.len() as u64).to_be_bytes());
        input.extend_from_slice(context.as_bytes());
        input.extend_from_slice(&self.key.to_bytes());
        sha256(&input).0
    }

    /// The matching public key.
    pub fn verifier(&self) -> LogVerifier {
        LogVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }
}

impl LogVerifier {
    /// Parses a note verifier key: `<name>+<hex keyid>+<base64(0x01||pubkey)>`.
    pub fn parse(vkey: &str) -> Result<Self, CheckpointError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("expected <name>+<key id>+<key>"));
        };
        check_name(name)?;
        let public = decode_key(key)?;
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| malformed("not a valid Ed25519 public key"))?;
        let key_id = key_id(name, &public);
        check_key_id(id, key_id)?;
        Ok(LogVerifier {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// The public key text that `parse` reads.
    pub fn to_vkey(&self) -> String {
        encode_key(&self.name, self.key_id, self.key.as_bytes())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// Hex SHA-256 of the 32-byte public key, for display.
    pub fn fingerprint(&self) -> String {
        sha256(self.key.as_bytes()).to_hex()
    }
}

/// Names are non-empty and contain no whitespace or '+' (they are delimited
/// by both in keys and signature lines).
pub(super) fn check_name(name: &str) -> Result<(), CheckpointError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(malformed(&format!(
            "key name {name:?} is empty or has a space or '+'"
        )));
    }
    Ok(())
}

fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut input = Vec::with_capacity(name.len() + 34);
    input.extend_from_slice(name.as_bytes());
    input.push(b'\n');
    input.push(ALG_ED25519);
    input.extend_from_slice(public);
    let digest = sha256(&input);
    [digest.0[0], digest.0[1], digest.0[2], digest.0[3]]
}

fn check_key_id(text: &str, computed: [u8; 4]) -> Result<(), CheckpointError> {
    // Lowercase only, as every encoder writes it, so a key has one spelling.
    if text.len() != 8 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(malformed("key id is not 8 lowercase hex digits"));
    }
    if text != hex::encode(computed) {
        return Err(malformed(&format!(
            "key id {text} does not match the key and name ({})",
            hex::encode(computed)
        )));
    }
    Ok(())
}

fn decode_key(text: &str) -> Result<[u8; 32], CheckpointError> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|_| malformed("key is not canonical base64"))?;
    match bytes.split_first() {
        Some((&ALG_ED25519, key)) => {
            <[u8; 32]>::try_from(key).map_err(|_| malformed("Ed25519 key is not 32 bytes"))
        }
        Some((alg, _)) => Err(malformed(&format!("unknown key algorithm {alg}"))),
        None => Err(malformed("key is empty")),
    }
}

fn encode_key(name: &str, key_id: [u8; 4], key: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(33);
    bytes.push(ALG_ED25519);
    bytes.extend_from_slice(key);
    format!("{name}+{}+{}", hex::encode(key_id), STANDARD.encode(bytes))
}

fn malformed(why: &str) -> CheckpointError {
    CheckpointError::MalformedKey(why.to_owned())
}
