"""Image, animation and data writers shared by the GUI and the CLI."""
