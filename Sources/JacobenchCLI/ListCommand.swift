import ArgumentParser
import Pipeline

/// `jacobench list`: every plugin kind with its options and defaults, and the manifest defaults.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Print every stage kind with its options and defaults.")

    func run() throws {
        print(PluginCatalogText.render(registry: .standard))
    }
}
