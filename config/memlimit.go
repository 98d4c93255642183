package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Sizes of the automatic memory limit (server.memory_limit: auto).
const (
	// MemoryLimitBase is what the auto limit allows besides the process list: the rest of the
	// live heap (~25 MB serving 10^6 events) and room for the garbage a start's catch-up and seal
	// pass make.
	MemoryLimitBase = 64 << 20
	// MemoryLimitPerProcess is what the auto limit allows per process in the list: a list state
	// takes ~1.2 KB on the heap (10,000 processes with short histories), the rest is headroom.
	MemoryLimitPerProcess = 2 << 10
	// minMemoryLimit is the smallest limit accepted: below it the collector would run all the time.
	minMemoryLimit = 16 << 20
)

// MemoryLimitBytes returns the soft memory limit server.memory_limit asks for, given how many
// processes the process list holds: MemoryLimitBase + MemoryLimitPerProcess × processes for
// "auto" (and empty), math.MaxInt64 (no limit) for "off", else the size written. A bad value is an error.
func (s Server) MemoryLimitBytes(processes int) (int64, error) {
	v := strings.TrimSpace(s.MemoryLimit)
	switch v {
	case "auto", "":
		return MemoryLimitBase + MemoryLimitPerProcess*int64(max(processes, 0)), nil
	case "off":
		return math.MaxInt64, nil
	}
	n, err := parseSize(v)
	if err != nil {
		return 0, err
	}
	if n < minMemoryLimit {
		return 0, fmt.Errorf("%q is less than 16MiB (or write auto or off)", s.MemoryLimit)
	}
	return n, nil
}

// parseSize reads a size as GOMEMLIMIT writes it: a whole number of bytes, optionally with one
// of the suffixes B, KiB, MiB, GiB, TiB.
func parseSize(v string) (int64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	num, shift := v, uint(0)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(v, u.suffix); ok {
			num, shift = rest, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("%q is not auto, off or a size such as 256MiB or 1GiB", v)
	}
	return n << shift, nil
}
