import LinearAlgebra

/// Start-up step of `jacobench`: on a CPU the loaded OpenBLAS does not recognise (it falls
/// back to generic Prescott kernels), re-execute once with `OPENBLAS_CORETYPE` set to the
/// best core the CPU supports (see ``OpenBLASCoreSelection``). Must run before anything
/// else, since the replaced process image starts over from `main`.
enum OpenBLASKernelChoice {
    static func apply() {
        OpenBLASCoreSelection.reexecuteIfGenericCore()
    }
}
