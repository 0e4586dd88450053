"""Scripts a user would otherwise write with matplotlib, run as whole processes."""
