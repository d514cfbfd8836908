"""Front door 2: the pytest plugin, registered through the ``pytest11`` entry point.

It is deliberately empty for now: the fixtures (a session-served emulator, a per-test reset
``connect_gateway`` handle, markers) are issue #6. Registering the entry point already means a
project that installs the package gets them without conftest edits once they land.
"""
