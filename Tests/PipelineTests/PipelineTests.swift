// Tests for the Pipeline module.
