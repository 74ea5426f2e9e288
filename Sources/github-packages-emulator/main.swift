import ArgumentParser

EmulatorCommand.main()
