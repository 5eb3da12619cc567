//! The log signing key on disk: `log-signing.key` (C2SP note private key, mode
//! 0600) and `log-signing.pub` (the verifier key verifiers pin).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ledger::checkpoint::{LogSigner, LogVerifier};

pub const SIGNING_KEY_FILE: &str = "log-signing.key";
pub const VERIFIER_KEY_FILE: &str = "log-signing.pub";

pub fn signing_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SIGNING_KEY_FILE)
}

pub fn verifier_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(VERIFIER_KEY_FILE)
}

/// Creates a new key named after the log origin. Refuses to replace an existing
/// key unless `force`: checkpoints signed by the old key would no longer verify
/// against the new one.
pub fn generate(data_dir: &Path, origin: &str, force: bool) -> anyhow::Result<LogSigner> {
    let path = signing_key_path(data_dir);
    if path.exists() && !force {
        bail!(
            "{} already exists; refusing to replace the log's signing key",
            path.display()
        );
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    let signer = LogSigner::from_seed(origin, seed).context("building the signing key")?;
    write_private(&path, signer.to_skey().as_bytes())?;
    std::fs::write(
        verifier_key_path(data_dir),
        format!("{}\n", signer.verifier().to_vkey()),
    )
    .context("writing the public key")?;
    Ok(signer)
}

/// Loads the key, creating it on first start. A key whose name differs from the
/// configured origin is refused, so checkpoints never mix two origins.
pub fn load_or_create(data_dir: &Path, origin: &str) -> anyhow::Result<LogSigner> {
    let path = signing_key_path(data_dir);
    if !path.exists() {
        let signer = generate(data_dir, origin, false)?;
        tracing::info!(path = %path.display(), "created the log signing key");
        return Ok(signer);
    }
    let signer = load(data_dir)?;
    if signer.name() != origin {
        bail!(
            "the signing key in {} is for log origin {:?}, but log_origin is {:?}",
            path.display(),
            signer.name(),
            origin
        );
    }
    Ok(signer)
}

pub fn load(data_dir: &Path) -> anyhow::Result<LogSigner> {
    let path = signing_key_path(data_dir);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    LogSigner::parse(text.trim())
        .with_context(|| format!("{} is not a log signing key", path.display()))
}

/// Parses a verifier key given inline (`name+id+key`) or as a path to a file.
pub fn parse_verifier(arg: &str) -> anyhow::Result<LogVerifier> {
    let text = if Path::new(arg).is_file() {
        std::fs::read_to_string(arg).with_context(|| format!("reading {arg}"))?
    } else {
        arg.to_owned()
    };
    LogVerifier::parse(text.trim())
        .context("not a log verifier key (expected name+keyid+base64 or a file holding one)")
}

/// Writes a secret readable by its owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_private_reloads_and_is_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let signer = load_or_create(dir.path(), "example.com/log").expect("creates");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(signing_key_path(dir.path()))
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = load_or_create(dir.path(), "example.com/log").expect("loads");
        assert_eq!(again.verifier().to_vkey(), signer.verifier().to_vkey());
        assert!(generate(dir.path(), "example.com/log", false).is_err());
        assert!(load_or_create(dir.path(), "other.example/log").is_err());
        let pinned =
            parse_verifier(verifier_key_path(dir.path()).to_str().expect("utf8")).expect("parses");
        assert_eq!(pinned.to_vkey(), signer.verifier().to_vkey());
    }
}
