// Tests for the FormulaModels module.
