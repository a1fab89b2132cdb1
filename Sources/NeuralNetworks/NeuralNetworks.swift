// The NeuralNetworks module; see docs/ARCHITECTURE.md.
