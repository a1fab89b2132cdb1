// The Solvers module; see docs/ARCHITECTURE.md.
