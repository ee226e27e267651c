"""Speed and quality benchmarks for tscl (run as `python -m benchmarks.<name>`)."""
