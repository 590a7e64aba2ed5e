//! End-to-end tests of the `ctlake` binary.
