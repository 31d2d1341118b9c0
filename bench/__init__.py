"""Tools that drive the app on loopback: the benchmark, load and fault suite (`make bench`,
`make soak`) and the README screenshots (`make screenshots`); never imported by the app
unless BENCH_ENDPOINTS is on."""
