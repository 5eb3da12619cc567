//! `affidavit keygen`.

use crate::configuration::Settings;
use crate::keys;

pub fn run(settings: &Settings, force: bool) -> anyhow::Result<()> {
    let signer = keys::generate(&settings.data_dir, &settings.log_origin, force)?;
    let verifier = signer.verifier();
    println!(
        "Created {}",
        keys::signing_key_path(&settings.data_dir).display()
    );
    println!("Public key (pin this in verifiers): {}", verifier.to_vkey());
    println!("Fingerprint: {}", verifier.fingerprint());
    Ok(())
}
