//! The wire format's tests, compiled as one binary: round trips, the golden fixture, each
//! limit, and malformed input.

mod golden;
mod limits;
mod malformed;
mod raw;
mod roundtrip;
mod sample;
mod strategies;
