use super::*;

fn scan(bytes: &[u8]) -> Result<(), DecodeError> {
    prescan(bytes, &Limits::default())
}

/// `[1, "p", bin16, 0, 0, events]` with the given events array bytes.
fn batch_with_events(events: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x96, 0x01, 0xa1, b'p', 0xc4, 16];
    bytes.extend([0u8; 16]);
    bytes.extend([0x00, 0x00]);
    bytes.extend(events);
    bytes
}

#[test]
fn accepts_a_minimal_batch() {
    assert_eq!(scan(&batch_with_events(&[0x90])), Ok(()));
}

#[test]
fn checks_the_version_first() {
    assert_eq!(
        scan(&[0x91, 0x02]),
        Err(DecodeError::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    );
    assert_eq!(
        scan(&[0x91, 0xcd, 0x01, 0x00]),
        Err(DecodeError::UnsupportedVersion {
            found: 256,
            supported: 1
        })
    );
    assert!(matches!(
        scan(&[0x91, 0xa1, b'1']),
        Err(DecodeError::Malformed(_))
    ));
    assert!(matches!(
        scan(&[0x81, 0x01, 0x01]),
        Err(DecodeError::Malformed(_))
    ));
    assert!(matches!(scan(&[]), Err(DecodeError::Malformed(_))));
}

#[test]
fn reads_the_event_count_from_the_header() {
    let limits = Limits {
        max_events: 2,
        ..Limits::default()
    };
    // Declares 3 events; none follow, and the count is still what fails.
    let bytes = batch_with_events(&[0x93]);
    assert_eq!(
        prescan(&bytes, &limits),
        Err(DecodeError::TooManyEvents {
            limit: 2,
            actual: 3
        })
    );
}

#[test]
fn rejects_lengths_longer_than_the_input() {
    let bytes = batch_with_events(&[0xdc, 0x01, 0x00]);
    assert!(matches!(scan(&bytes), Err(DecodeError::Malformed(_))));
    let bytes = batch_with_events(&[0x91, 0xdf, 0x7f, 0xff, 0xff, 0xff]);
    assert!(matches!(scan(&bytes), Err(DecodeError::Malformed(_))));
}

#[test]
fn rejects_ext_and_reserved_markers() {
    assert!(matches!(
        scan(&batch_with_events(&[0xd4, 0x01, 0x00])),
        Err(DecodeError::Malformed(_))
    ));
    assert!(matches!(
        scan(&batch_with_events(&[0xc1])),
        Err(DecodeError::Malformed(_))
    ));
}

#[test]
fn counts_string_bytes_before_reading_them() {
    // The session id is a 16-byte binary, so the limit must let that through.
    let limits = Limits {
        max_string_bytes: 16,
        ..Limits::default()
    };
    let bytes = batch_with_events(&[0x91, 0xdb, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(
        prescan(&bytes, &limits),
        Err(DecodeError::StringTooLong {
            limit: 16,
            actual: u32::MAX as usize
        })
    );
}

#[test]
fn rejects_trailing_bytes() {
    let mut bytes = batch_with_events(&[0x90]);
    bytes.extend([0xc0, 0xc0]);
    assert_eq!(scan(&bytes), Err(DecodeError::TrailingBytes { count: 2 }));
}

#[test]
fn stops_deep_nesting_without_recursing() {
    let mut bytes = batch_with_events(&[]);
    bytes.extend(std::iter::repeat_n(0x91, 1_000_000));
    bytes.push(0xc0);
    assert_eq!(
        scan(&bytes),
        Err(DecodeError::NestingTooDeep { limit: MAX_NESTING })
    );
}
