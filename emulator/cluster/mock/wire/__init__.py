"""How the mock apiserver writes and reads the wire: discovery, OpenAPI, protobuf, Go's JSON,
Status errors, watch frames and Tables.
"""
