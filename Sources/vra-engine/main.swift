import VRAEngineCLI

await VRAEngineCommand.runProcess()
