// The YAMLDecoding module; see docs/ARCHITECTURE.md.
