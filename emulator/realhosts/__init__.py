"""Google's real host names, no endpoint overrides (docs/real-hosts.md).

``proxy.py`` is the local HTTPS proxy for ``*.googleapis.com``: it terminates TLS for each Google
host with a certificate of the emulator's CA and relays the bytes to the emulator's own loopback
port, and refuses every other target without contacting it. ``hosts.py`` says which Google hosts
the emulator serves, and answers the others in the app with Google's UNIMPLEMENTED error.
"""
