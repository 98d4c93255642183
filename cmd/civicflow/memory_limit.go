package main

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"

	"github.com/civicflow/civicflow/config"
)

// limitMemory sets Go's soft memory limit as server.memory_limit asks, for a process list of
// processes, and logs it; an explicit GOMEMLIMIT in the environment (read by Go at start) wins and
// is only logged. Without a limit Go lets the heap grow to twice what is live before it collects,
// and the garbage of a start's catch-up and seal pass made serve's peak RSS ~190 MB on 10^6 events
// with ~40 MB live (README, Performance: Memory). It returns the limit in force (math.MaxInt64:
// none).
func limitMemory(cfg config.Server, processes int, log *slog.Logger) int64 {
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		limit := debug.SetMemoryLimit(-1)
		log.Info("memory limit", "source", "GOMEMLIMIT", "GOMEMLIMIT", v, "limit_mib", mebibytes(limit))
		return limit
	}
	limit, err := cfg.MemoryLimitBytes(processes)
	if err != nil { // Validate refused it before serve started
		log.Warn("memory limit not set", "err", err)
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(limit)
	log.Info("memory limit", "source", "server.memory_limit", "memory_limit", cfg.MemoryLimit, "processes", processes, "limit_mib", mebibytes(limit))
	return limit
}

// mebibytes is a limit in MiB for the log, -1 for none.
func mebibytes(limit int64) int64 {
	if limit == math.MaxInt64 {
		return -1
	}
	return limit >> 20
}
