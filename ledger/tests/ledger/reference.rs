//! RFC 6962 §2.1 transcribed literally: MTH, PATH and PROOF/SUBPROOF over a
//! list of entries, recursing on slices and recomputing every subtree hash.
//! Slow on purpose, so it is obviously right (cf. transparency-dev/merkle
//! `testonly/reference_test.go`).

use ledger::{Hash, empty_root, leaf_hash, node_hash};

/// The largest power of two smaller than `n`. Requires `n > 1`.
fn k(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]).
pub fn mth(d: &[Vec<u8>]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => leaf_hash(&d[0]),
        n => node_hash(&mth(&d[..k(n)]), &mth(&d[k(n)..])),
    }
}

/// PATH(m, D[n]). Requires `m < n`.
pub fn path(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return vec![];
    }
    let k = k(n);
    let (mut p, sibling) = if m < k {
        (path(m, &d[..k]), mth(&d[k..]))
    } else {
        (path(m - k, &d[k..]), mth(&d[..k]))
    };
    p.push(sibling);
    p
}

/// PROOF(m, D[n]) = SUBPROOF(m, D[n], true). Empty for m == 0 or m == n.
pub fn proof(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    if m == 0 {
        return vec![];
    }
    subproof(m, d, true)
}

fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k(n);
    let (mut p, sibling) = if m <= k {
        (subproof(m, &d[..k], b), mth(&d[k..]))
    } else {
        (subproof(m - k, &d[k..], false), mth(&d[..k]))
    };
    p.push(sibling);
    p
}
