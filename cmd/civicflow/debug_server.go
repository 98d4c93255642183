package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// debugBlockRate samples goroutines blocked on channels and locks: about one sample per 100 µs of
// blocking (runtime.SetBlockProfileRate), and debugMutexFraction one in ten lock contentions.
const (
	debugBlockRate     = 100_000
	debugMutexFraction = 10
)

// startDebug serves Go's profiles (/debug/pprof/) on addr (server.debug_addr, a loopback address
// the configuration checked) until stop is called; with addr empty it does nothing. It turns on
// the block and mutex profiles, which cost a little on every contention while it runs.
func startDebug(addr string, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("server.debug_addr: listen on %s: %w", addr, err)
	}
	runtime.SetBlockProfileRate(debugBlockRate)
	runtime.SetMutexProfileFraction(debugMutexFraction)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("debug server stopped", "err", err)
		}
	}()
	log.Info("profiles served (server.debug_addr)", "addr", ln.Addr().String())
	return func() {
		srv.Close()
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
	}, nil
}
