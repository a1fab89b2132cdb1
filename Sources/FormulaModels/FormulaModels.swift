// The FormulaModels module; see docs/ARCHITECTURE.md.
