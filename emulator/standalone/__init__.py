"""The embedded mock apiserver served on its own, like a real cluster's apiserver (issue #7)."""
