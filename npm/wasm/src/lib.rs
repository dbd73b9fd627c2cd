//! The npm package's wasm: httplib's JavaScript API (its `js-api` feature), linked here so
//! that this crate's own lock file can choose the `idna` back end (see Cargo.toml).

pub use httplib;
