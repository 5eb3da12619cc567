//! C2SP signed notes: text, a blank line, then signature lines
//! `— <name> <base64(key id || signature)>`, each ending in a newline.
//! The signed message is the text including its final newline.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _};

use super::keys::check_name;
use super::{Checkpoint, CheckpointError, LogSigner, LogVerifier};

/// The signature line prefix: U+2014 EM DASH, then a space.
const SIG_PREFIX: &str = "\u{2014} ";
/// Same cap as golang.org/x/mod/sumdb/note: bounds the work a hostile note causes.
const MAX_SIGNATURES: usize = 100;

impl LogSigner {
    /// The full signed note text of `checkpoint`.
    ///
    /// Requires `checkpoint.validate()` to pass; otherwise the note will not verify.
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        self.sign_text(&checkpoint.body())
    }

    /// Signs arbitrary note text (for interop tests and future note kinds).
    pub fn sign_note(&self, text: &str) -> Result<String, CheckpointError> {
        check_text(text)?;
        Ok(self.sign_text(text))
    }

    fn sign_text(&self, text: &str) -> String {
        let signature = self.key.sign(text.as_bytes());
        let mut raw = Vec::with_capacity(4 + 64);
        raw.extend_from_slice(&self.key_id);
        raw.extend_from_slice(&signature.to_bytes());
        format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(raw)
        )
    }
}

impl LogVerifier {
    /// Verifies the note's signature line from this key (verify_strict), ignoring other signers' lines, then parses the body.
    pub fn verify(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        Checkpoint::parse_body(self.verify_note(note)?)
    }

    /// Verifies the note's signature from this key and returns the signed text.
    ///
    /// Every line must be well formed; lines from other keys are not checked
    /// further. Every line claiming this key (same name and key id) must verify.
    pub fn verify_note<'a>(&self, note: &'a str) -> Result<&'a str, CheckpointError> {
        let (text, signatures) = split_note(note)?;
        let mut found = false;
        for (i, line) in signatures.split_terminator('\n').enumerate() {
            if i == MAX_SIGNATURES {
                return Err(malformed(&format!("more than {MAX_SIGNATURES} signatures")));
            }
            let (name, raw) = parse_signature_line(line)?;
            let (key_id, signature) = raw.split_at(4);
            if name != self.name || key_id != self.key_id {
                continue;
            }
            let signature =
                <[u8; 64]>::try_from(signature).map_err(|_| CheckpointError::BadSignature)?;
            self.key
                .verify_strict(text.as_bytes(), &Signature::from_bytes(&signature))
                .map_err(|_| CheckpointError::BadSignature)?;
            found = true;
        }
        if !found {
            return Err(CheckpointError::NoSignatureFromKey {
                name: self.name.clone(),
                key_id: self.key_id,
            });
        }
        Ok(text)
    }
}

/// Splits a note into its text (with final newline) and its signature block.
fn split_note(note: &str) -> Result<(&str, &str), CheckpointError> {
    if note.chars().any(|c| c < ' ' && c != '\n') {
        return Err(malformed("contains a control character (\\r, \\t, ...)"));
    }
    // The text never contains a blank line, so the last one is the separator.
    let split = note
        .rfind("\n\n")
        .ok_or_else(|| malformed("no blank line before the signatures"))?;
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    if signatures.is_empty() || !signatures.ends_with('\n') {
        return Err(malformed(
            "signature block is empty or does not end with a newline",
        ));
    }
    Ok((text, signatures))
}

/// Parses `— <name> <base64>` into the name and the decoded bytes (at least 5).
fn parse_signature_line(line: &str) -> Result<(&str, Vec<u8>), CheckpointError> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or_else(|| malformed(&format!("line {line:?} is not a signature line")))?;
    let (name, encoded) = rest
        .split_once(' ')
        .ok_or_else(|| malformed(&format!("signature line {line:?} has no signature")))?;
    check_name(name).map_err(|_| malformed(&format!("bad signer name {name:?}")))?;
    let raw = STANDARD
        .decode(encoded)
        .map_err(|_| malformed(&format!("signature from {name} is not canonical base64")))?;
    if raw.len() < 5 {
        return Err(malformed(&format!("signature from {name} is too short")));
    }
    Ok((name, raw))
}

/// Note text must end in a newline and hold no blank line or control character.
fn check_text(text: &str) -> Result<(), CheckpointError> {
    if text.is_empty() || !text.ends_with('\n') || text.contains("\n\n") || text.starts_with('\n') {
        return Err(malformed(
            "text must be non-empty lines, each ending in a newline",
        ));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(malformed("text contains a control character"));
    }
    Ok(())
}

fn malformed(why: &str) -> CheckpointError {
    CheckpointError::MalformedNote(why.to_owned())
}
