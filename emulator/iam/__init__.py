"""Google IAM as the gateway sees it: the role catalogue and the policy that answers "may this
principal use this permission on this resource, and because of which binding?"."""
