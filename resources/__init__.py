"""Package data: presets, icons, desktop files (installed as gdplayground.resources)."""
