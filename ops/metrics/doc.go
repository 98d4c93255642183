// Package metrics exposes civicflow's Prometheus metrics; it is the only package besides cmd that
// imports the Prometheus client. Every name has the form civicflow_<subsystem>_<name>_<unit>, no
// label carries personal data or an unbounded value (never a process ID, user or title).
//
// Process counts, stage durations and the projection lag are computed at scrape time from the
// process list and the store; command counts and latencies are observed by the HTTP API through
// httpapi.CommandObserver, which *Metrics implements.
//
//	m, err := metrics.New(metrics.Config{List: list, Store: store, Appended: func() int64 { return store.Stats().Events }})
//	api, err := httpapi.New(httpapi.Config{…, Metrics: m})
//	mux.Handle("GET /metrics", m.Handler())
package metrics
