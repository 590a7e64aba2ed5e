//! Harness for ctlake's end-to-end tests: starts the local Lake and `moto_server` on free loopback ports.
