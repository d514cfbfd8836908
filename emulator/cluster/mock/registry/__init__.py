"""What a cluster serves and keeps: the registry of kinds and their behaviour, schemas, defaulting,
the object store and the rules of each verb.
"""
