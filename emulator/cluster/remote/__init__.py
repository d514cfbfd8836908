"""A real apiserver (kind, k3d, GKE, or the standalone mock) reached through a kubeconfig."""
