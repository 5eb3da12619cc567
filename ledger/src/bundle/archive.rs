//! The bundle's container: a ustar archive with nothing in it but names and bytes.
//!
//! Written with fixed header fields so the same members give the same bytes;
//! read leniently, because the verifier judges canonical form separately (it
//! rebuilds the archive and compares), and reports a header it does not like as
//! a difference rather than failing before it can say anything else.

use std::io::Read;

/// Why bytes are not a bundle archive, or members cannot be written as one.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ArchiveError {
    #[error("not a readable tar archive: {0}")]
    Unreadable(String),
    #[error("member {0:?} is not a regular file")]
    NotAFile(String),
    #[error("a member's name is not UTF-8")]
    NameNotUtf8,
    #[error("member {name:?} cannot be written: {reason}")]
    Unwritable { name: String, reason: String },
    #[error("the manifest cannot be built: {0}")]
    Manifest(String),
}

/// The archive of `members` (already in the order wanted), byte-for-byte
/// reproducible: mode 0644, uid/gid 0, mtime 0, no owner names.
pub fn write_archive(members: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ArchiveError> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let unwritable = |reason: String| ArchiveError::Unwritable {
            name: name.clone(),
            reason,
        };
        let mut header = tar::Header::new_ustar();
        header
            .set_path(name)
            .map_err(|e| unwritable(e.to_string()))?;
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder
            .append(&header, bytes.as_slice())
            .map_err(|e| unwritable(e.to_string()))?;
    }
    builder
        .into_inner()
        .map_err(|e| ArchiveError::Unreadable(e.to_string()))
}

/// The members of an archive, in archive order.
pub fn read_archive(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let unreadable = |e: std::io::Error| ArchiveError::Unreadable(e.to_string());
    let mut archive = tar::Archive::new(bytes);
    let mut out = Vec::new();
    for member in archive.entries().map_err(unreadable)? {
        let mut member = member.map_err(unreadable)?;
        let name = String::from_utf8(member.path_bytes().into_owned())
            .map_err(|_| ArchiveError::NameNotUtf8)?;
        if member.header().entry_type() != tar::EntryType::Regular {
            return Err(ArchiveError::NotAFile(name));
        }
        // The size is bounded by the archive already in memory.
        let mut content = Vec::new();
        member.read_to_end(&mut content).map_err(unreadable)?;
        out.push((name, content));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_members_give_the_same_bytes_and_read_back() {
        let members = vec![
            ("a".to_owned(), b"one".to_vec()),
            ("dir/b".to_owned(), vec![0u8; 700]),
            ("empty".to_owned(), Vec::new()),
        ];
        let first = write_archive(&members).expect("write");
        assert_eq!(first, write_archive(&members).expect("write again"));
        assert_eq!(first.len() % 512, 0);
        assert_eq!(read_archive(&first).expect("read"), members);
    }

    #[test]
    fn garbage_is_not_an_archive() {
        assert!(read_archive(&[7u8; 1024]).is_err());
    }
}
