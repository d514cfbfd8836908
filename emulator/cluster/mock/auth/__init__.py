"""Who the caller is and what they may do: tokens and impersonation, RBAC and its bootstrap policy,
the review kinds.
"""
