"""A local Lexful API server for development, tests and benchmarks."""
