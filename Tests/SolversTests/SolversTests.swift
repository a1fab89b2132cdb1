// Tests for the Solvers module.
