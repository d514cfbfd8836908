"""kube's control loops in the embedded cluster: kube-controller-manager's controllers, the
scheduler and the kubelet of the one fake node, acting through the same storage path as clients.

``manager.py`` runs them (a work queue drained right after each write); ``context.py`` is what
they may do; each other module is one area of kube's controllers and lists its loops in
``controllers(ctx)``; ``areas.py`` gathers them. This package's ``__init__`` imports nothing, so
that the scenario model can name ``settings.py`` without loading the controllers.
"""

