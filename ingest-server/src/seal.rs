//! The server's seal on the entries it accepted, checked before they are signed.
//!
//! Chains, tree and checkpoints make any change to a *signed* entry evident. An
//! entry still waiting in the integration queue is another matter: someone with
//! write access to the database alone could add a correctly chained entry and its
//! queue row, and the integrator would sign it. So the ingest path seals each queued
//! entry with an HMAC keyed by a secret derived from the log signing key (which
//! lives outside the database), and the integrator refuses anything unsealed.

use hmac::{Hmac, Mac};
use ledger::Hash;
use ledger::checkpoint::LogSigner;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Derivation context of the seal key; a new version means a new key.
pub const SEAL_CONTEXT: &str = "affidavit/queue-seal/v1";

#[derive(Clone)]
pub struct EntrySeal {
    key: [u8; 32],
}

impl std::fmt::Debug for EntrySeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EntrySeal(…)")
    }
}

impl EntrySeal {
    pub fn from_signer(signer: &LogSigner) -> Self {
        EntrySeal {
            key: signer.derive_secret(SEAL_CONTEXT),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; 32 bytes cannot be refused.
        HmacSha256::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }

    /// The seal of the entry whose leaf hash is `leaf`.
    pub fn seal(&self, leaf: &Hash) -> [u8; 32] {
        let mut mac = self.mac();
        mac.update(leaf.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// True when `tag` is this server's seal of `leaf` (constant-time compare).
    pub fn verify(&self, leaf: &Hash, tag: &[u8]) -> bool {
        let mut mac = self.mac();
        mac.update(leaf.as_bytes());
        mac.verify_slice(tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_verify_only_for_their_leaf_and_key() {
        let seal =
            EntrySeal::from_signer(&LogSigner::from_seed("example.com/log", [1; 32]).expect("key"));
        let stranger =
            EntrySeal::from_signer(&LogSigner::from_seed("example.com/log", [2; 32]).expect("key"));
        let leaf = ledger::leaf_hash(b"entry");
        let tag = seal.seal(&leaf);

        assert!(seal.verify(&leaf, &tag));
        assert!(!seal.verify(&ledger::leaf_hash(b"other"), &tag));
        assert!(!stranger.verify(&leaf, &tag));
        assert!(!seal.verify(&leaf, &tag[..31]));
        let mut flipped = tag;
        flipped[0] ^= 1;
        assert!(!seal.verify(&leaf, &flipped));
    }
}
