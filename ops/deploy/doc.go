// Package deploy holds civicflow's deployment assets: the systemd unit (civicflow.service), an
// example configuration for several instances on PostgreSQL (civicflow-postgres.example.yaml)
// behind a reverse proxy (Caddyfile.example), the Grafana dashboard (grafana-dashboard.json, with
// a row repeated per instance) and the Prometheus alert rules (prometheus-rules.yml). Its tests
// check that every metric they query is one the server exports (ops/metrics.Names), that the
// unit passes systemd-analyze verify, that the example configuration loads with the server's own
// loader, and that the proxy balances the configured instances on their readiness.
package deploy
