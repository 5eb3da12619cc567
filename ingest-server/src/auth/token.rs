//! Random secrets: login tokens, CSRF tokens and generated passwords.

use ledger::sha256;

/// A new login token for the cookie (32 random bytes, hex) and the SHA-256 the
/// database keeps instead of it.
pub fn new_login_token() -> Result<(String, [u8; 32]), getrandom::Error> {
    let token = random_hex(32)?;
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// What the database stores for a login token.
pub fn token_hash(token: &str) -> [u8; 32] {
    sha256(token.as_bytes()).0
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(hex::encode(buf))
}

/// A generated password: 20 characters from an alphabet without look-alikes
/// (about 115 bits), readable aloud and safe to paste.
pub fn new_password() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 20];
    getrandom::fill(&mut buf)?;
    // 256 is not a multiple of 54; the bias of a plain modulo is under 1.2%
    // per character, negligible at this length.
    Ok(buf
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash) = new_login_token().expect("token");
        let (b, _) = new_login_token().expect("token");
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash, token_hash(&a));
        assert_ne!(hash.to_vec(), a.as_bytes().to_vec());
    }

    #[test]
    fn generated_passwords() {
        let p = new_password().expect("password");
        assert_eq!(p.chars().count(), 20);
        assert!(
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c))
        );
        assert_ne!(p, new_password().expect("password"));
    }
}
