// Tests for the Reports module.
