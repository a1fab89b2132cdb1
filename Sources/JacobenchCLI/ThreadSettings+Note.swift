import Foundation
import LinearAlgebra

extension ThreadSettings {
    /// Resolves `--threads` against this process's environment (``resolve(option:environment:)``)
    /// and says on stderr when `OPENBLAS_NUM_THREADS` overrode a different `--threads`.
    static func resolveNoting(option: Int?) throws -> ThreadSettings {
        let settings = try resolve(option: option, environment: ProcessInfo.processInfo.environment)
        if let ignored = settings.overriddenOption {
            FileHandle.standardError.write(Data(
                "jacobench: \(environmentVariable)=\(settings.count) in the environment wins over --threads \(ignored)\n".utf8))
        }
        return settings
    }
}
