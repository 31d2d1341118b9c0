"""Benchmark, load and fault suite (`make bench`, `make soak`); never imported by the app
unless BENCH_ENDPOINTS is on."""
