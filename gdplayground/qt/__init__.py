"""Qt views, panels, the playback clock and the main window."""
