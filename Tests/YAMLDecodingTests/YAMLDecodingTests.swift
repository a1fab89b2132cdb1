// Tests for the YAMLDecoding module.
