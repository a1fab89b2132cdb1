import Foundation
import Testing

/// Only the bundle layer (Sources/Pipeline/Bundle) writes files, and only `InputFile`
/// (Datasets) and the bundle layer read the files a user names: a write or a read of
/// another kind anywhere else fails this test. System files the tool inspects (`/proc`)
/// are listed with their reason.
@Suite struct FileAccessTests {
    static let writing = [".write(to:", ".write(toFile:", "createFile(atPath", "FileHandle(forWritingAtPath", "copyItem(atPath", "createDirectory(atPath"]
    static let reading = ["String(contentsOfFile", "Data(contentsOf", "FileHandle(forReadingAtPath", "contentsOfFile:"]
    /// Files allowed to use the calls, with why.
    static let allowed: [String: String] = [
        "Pipeline/Running/PeakMemory.swift": "reads /proc/self/status and writes /proc/self/clear_refs (the kernel's counters, not files)",
        "Pipeline/Bundle/EnvironmentRecord.swift": "reads /proc/cpuinfo",
        "Pipeline/Manifest/MemoryBudget.swift": "reads the cgroup's memory limit",
        "Datasets/InputFile.swift": "the checked reader of every input file",
        "LinearAlgebra/OpenBLASCoreSelection.swift": "reads /proc/cpuinfo's flags to pick OpenBLAS kernels",
        "JSONDocuments/JSONValue.swift": "write(to:) renders into a String, not a file",
    ]

    @Test func onlyTheBundleLayerWritesAndOnlyTheCheckedReaderReads() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 100)
        var offenders: [String] = []
        for file in files where !file.hasPrefix("Pipeline/Bundle/") && Self.allowed[file] == nil {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for call in Self.writing + Self.reading where text.contains(call) { offenders.append("\(file): \(call)") }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
