"""Upstream Kubernetes facts the mock serves from, kept as data: see NOTICE for their sources."""
