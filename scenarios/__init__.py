"""The built-in scenarios. pyproject.toml installs this folder as ``emulator.scenario.builtin``,
so a wheel carries the YAML files; this file makes it a regular package, which an editable
install can map as well."""
