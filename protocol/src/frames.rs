//! The stream of stored batches a replay reads (`GET /v1/sessions/{id}/events`):
//! each batch's payload exactly as the server received and hashed it, framed so a
//! reader can match it to its audit entry.
//!
//! Frame layout (big-endian): `session_seq u64 | batch_seq u64 | length u32 | payload`.
//! The payloads stay compressed and untouched: the viewer recomputes their hashes
//! against the entries, so the server must not re-encode anything it sends.

use thiserror::Error;

/// Bytes before each payload.
pub const FRAME_HEADER_LEN: usize = 8 + 8 + 4;

/// One stored batch as framed on the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The batch entry's position in the session chain.
    pub session_seq: u64,
    /// The batch's own seq (the envelope's).
    pub batch_seq: u64,
    pub payload: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error("the stream ends inside a frame header at byte {offset}")]
    TruncatedHeader { offset: usize },
    #[error("frame at byte {offset} declares {declared} payload bytes but only {available} follow")]
    TruncatedPayload {
        offset: usize,
        declared: usize,
        available: usize,
    },
    #[error("frame at byte {offset} declares {declared} payload bytes, over the limit of {limit}")]
    TooLarge {
        offset: usize,
        declared: usize,
        limit: usize,
    },
    #[error("a payload of {0} bytes does not fit a frame (at most 4 GiB)")]
    Unframeable(usize),
}

/// Appends one frame to `out`.
pub fn write_frame(
    out: &mut Vec<u8>,
    session_seq: u64,
    batch_seq: u64,
    payload: &[u8],
) -> Result<(), FrameError> {
    let len = u32::try_from(payload.len()).map_err(|_| FrameError::Unframeable(payload.len()))?;
    out.reserve(FRAME_HEADER_LEN + payload.len());
    out.extend_from_slice(&session_seq.to_be_bytes());
    out.extend_from_slice(&batch_seq.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// Splits a whole stream into frames, refusing any payload over `max_payload`
/// bytes before looking at it (the compressed-size limit the batch was accepted under).
pub fn read_frames(stream: &[u8], max_payload: usize) -> Result<Vec<Frame<'_>>, FrameError> {
    let mut frames = Vec::new();
    let mut offset = 0;
    while offset < stream.len() {
        let header = stream
            .get(offset..offset + FRAME_HEADER_LEN)
            .ok_or(FrameError::TruncatedHeader { offset })?;
        let (seqs, len) = header.split_at(16);
        let session_seq = u64::from_be_bytes(seqs[..8].try_into().unwrap_or_default());
        let batch_seq = u64::from_be_bytes(seqs[8..].try_into().unwrap_or_default());
        let declared = u32::from_be_bytes(len.try_into().unwrap_or_default()) as usize;
        if declared > max_payload {
            return Err(FrameError::TooLarge {
                offset,
                declared,
                limit: max_payload,
            });
        }
        let start = offset + FRAME_HEADER_LEN;
        let payload = stream
            .get(start..start + declared)
            .ok_or(FrameError::TruncatedPayload {
                offset,
                declared,
                available: stream.len() - start,
            })?;
        frames.push(Frame {
            session_seq,
            batch_seq,
            payload,
        });
        offset = start + declared;
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_in_order() {
        let mut stream = Vec::new();
        write_frame(&mut stream, 1, 0, b"first").expect("frames");
        write_frame(&mut stream, 3, 1, b"").expect("frames");
        write_frame(&mut stream, 4, 2, &[7; 300]).expect("frames");
        let frames = read_frames(&stream, 1024).expect("reads");
        assert_eq!(frames.len(), 3);
        assert_eq!(
            frames[0],
            Frame {
                session_seq: 1,
                batch_seq: 0,
                payload: b"first"
            }
        );
        assert_eq!(frames[1].payload, b"");
        assert_eq!((frames[2].session_seq, frames[2].batch_seq), (4, 2));
        assert_eq!(frames[2].payload, &[7; 300][..]);
        assert_eq!(read_frames(&[], 10).expect("empty"), Vec::new());
    }

    #[test]
    fn every_truncation_and_oversize_is_refused() {
        let mut stream = Vec::new();
        write_frame(&mut stream, 1, 0, b"abcdef").expect("frames");
        for cut in 1..stream.len() {
            assert!(read_frames(&stream[..cut], 1024).is_err(), "cut at {cut}");
        }
        assert_eq!(
            read_frames(&stream, 5),
            Err(FrameError::TooLarge {
                offset: 0,
                declared: 6,
                limit: 5
            })
        );
    }
}
