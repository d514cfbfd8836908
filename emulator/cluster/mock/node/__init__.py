"""The fake node: pod admission, container logs, exec/attach sessions and the sandboxed fake
containers.
"""
