// The library product: one import for the Jacobian engine, models, data and solvers.
@_exported import Datasets
@_exported import FormulaModels
@_exported import Jacobians
@_exported import LinearAlgebra
@_exported import NeuralNetworks
@_exported import Solvers
