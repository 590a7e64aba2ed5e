//! Benchmark of change ingestion (read + classify + normalize) against decompress + parse alone.

fn main() {}
