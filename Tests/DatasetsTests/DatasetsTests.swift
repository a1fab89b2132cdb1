// Tests for the Datasets module.
