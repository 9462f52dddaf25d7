//! The evidence vault: originals hashed as they stream in, sealed under a fresh data key wrapped by
//! the owning organisation's key, stored by content address, and exported in signed bundles that a
//! court can verify offline.
#![forbid(unsafe_code)]
