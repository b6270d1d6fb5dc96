import ArgumentParser

/// `tappass`: the appliance service and its admin CLI in one binary.
@main
struct TappassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tappass",
        abstract: "TapPass Appliance: a governed LLM gateway for on-prem inference hosts.",
        subcommands: [ServeCommand.self, ConfigCommand.self, KeysCommand.self]
    )
}
