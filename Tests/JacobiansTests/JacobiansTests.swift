// Tests for the Jacobians module.
