import ConsentryCommands

await ConsentryCommand.runFromCommandLine()
