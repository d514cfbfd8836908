module oracle

go 1.19

require sigs.k8s.io/json v0.0.0

// A checkout of kubernetes-sigs/json at the commit kube 1.27-1.31 vendor (bc3834c); see
// ../godecode_fixtures.py, which points this at it with `go mod edit -replace`.
replace sigs.k8s.io/json => ./sigsjson
