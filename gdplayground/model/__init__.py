"""The session: what a user sets up, its limits and rules, its file form, presets and lessons."""
