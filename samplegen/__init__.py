"""Synthetic Vietnamese administrative documents and office-style scans, with their ground truth: a
tool for `sohoa samples`, `sohoa eval`, the tests and the benchmarks. No stage imports it; a
product module imports it only inside a function."""
