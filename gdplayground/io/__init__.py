"""Small file helpers every layer may use: atomic writes and bounded reads of regular files."""
