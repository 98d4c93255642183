// Package deploy holds civicflow's deployment assets: the Grafana dashboard
// (grafana-dashboard.json) and the Prometheus alert rules (prometheus-rules.yml). Its test checks
// that every metric they query is one the server exports (ops/metrics.Names).
package deploy
