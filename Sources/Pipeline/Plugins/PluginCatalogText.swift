/// The text `jacobench list` prints: every kind by role with its options and defaults, the
/// manifest-level defaults and the strategy names.
public enum PluginCatalogText {
    /// Renders `registry`.
    public static func render(registry: PluginRegistry) -> String {
        var lines: [String] = []
        for role in StageRole.allCases {
            let plugins = registry.descriptions.filter { $0.role == role }
            lines.append("\(role.rawValue) kinds:")
            if plugins.isEmpty { lines.append("  (none registered)") }
            for plugin in plugins {
                lines.append("  \(plugin.kind) — \(plugin.summary)")
                let width = plugin.options.map(\.key.count).max() ?? 0
                for option in plugin.options {
                    let padded = option.key.padding(toLength: width, withPad: " ", startingAt: 0)
                    let value = option.defaultValue.map { "default \($0)" } ?? (option.isRequired ? "required" : "unset unless given")
                    lines.append("      \(padded)  \(option.summary) (\(value))")
                }
            }
            lines.append("")
        }
        lines.append("manifest defaults:")
        let width = ManifestDefaults.documentation.map(\.key.count).max() ?? 0
        for entry in ManifestDefaults.documentation {
            lines.append("  \(entry.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.value) — \(entry.meaning)")
        }
        if !registry.strategies.isEmpty {
            lines.append("")
            lines.append("jacobian strategies:")
            let nameWidth = registry.strategies.map(\.name.count).max() ?? 0
            for strategy in registry.strategies {
                lines.append("  \(strategy.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(strategy.summary)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
