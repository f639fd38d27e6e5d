import PixelRecCLI

// The executable only hands its arguments to the library and exits with its code.
PixelRecTool.main(CommandLine.arguments)
