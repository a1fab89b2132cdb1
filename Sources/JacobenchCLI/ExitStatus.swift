import ArgumentParser
import JSONDocuments
import LinearAlgebra
import Pipeline
import YAMLDecoding

/// Every exit code of `jacobench`, decided here and nowhere else:
/// 0 all cases ok · 1 some case failed (or a batch member failed, or diff found a
/// regression) · 2 invalid manifest, arguments, thread count or results folder, or two
/// bundles `diff` cannot compare (different experiments, no case in common) · 3 the filesystem
/// failed (unwritable folder, full disk; finished cases are kept) · 130 interrupted
/// (SIGINT or SIGTERM; finished cases kept for `--resume`).
enum ExitStatus {
    /// Everything ran and succeeded.
    static let success: Int32 = 0
    /// Some case failed / a regression / a batch member failed.
    static let failure: Int32 = 1
    /// Invalid input: manifest, arguments, files, results folder.
    static let invalidInput: Int32 = 2
    /// The filesystem failed: a folder not writable, a full disk.
    static let inputOutputFailure: Int32 = 3
    /// Stopped by SIGINT or SIGTERM; finished cases kept in an incomplete bundle.
    static let interrupted: Int32 = 130

    /// The code for an error that ended the command.
    static func code(for error: any Error) -> Int32 {
        switch error {
        case let exit as ExitCode: return exit.rawValue
        case let bundle as BundleError where bundle.isInputOutputFailure: return inputOutputFailure
        case is YAMLError, is BundleError, is JSONSyntaxError, is UsageError, is ThreadSettingsError, is BundleMismatch, is PinFromBundleError: return invalidInput
        case is RunCancelled: return interrupted
        default:
            let code = JacobenchCommand.exitCode(for: error)
            if code == .success { return success }
            return code == .validationFailure ? invalidInput : code.rawValue
        }
    }

    /// Errors printed with their own description (not ArgumentParser's help text).
    static func isOwnError(_ error: any Error) -> Bool {
        error is YAMLError || error is BundleError || error is JSONSyntaxError || error is UsageError || error is RunCancelled
            || error is ThreadSettingsError || error is BundleMismatch || error is PinFromBundleError
    }
}

/// A command-line mistake found after parsing (a bad `--shard`, a missing bundle).
struct UsageError: Error, CustomStringConvertible {
    /// What to fix.
    var description: String
    init(_ description: String) { self.description = description }
}
