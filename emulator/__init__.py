"""connect-gateway-emulator: an offline emulator of Google's GKE Connect Gateway."""

# The one place the version is written: pyproject.toml reads it from here, and
# `connect-gateway-emulator --version` prints it.
__version__ = "0.11.0"
