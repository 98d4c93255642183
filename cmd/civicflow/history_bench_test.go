package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// historyBench are the sizes of BenchmarkHistory, from the environment.
type historyBench struct {
	events    int // CIVICFLOW_BENCH_HISTORY_EVENTS: events of history, default 1,000,000
	processes int // CIVICFLOW_BENCH_HISTORY_PROCESSES: processes, default 10,000 (64 long, the rest short)
	paced     int // CIVICFLOW_BENCH_PACED_COMMANDS: commands of each paced phase, default 10,000
}

func historyBenchSizes(b *testing.B) historyBench {
	get := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number", name, v)
		}
		return n
	}
	h := historyBench{get("CIVICFLOW_BENCH_HISTORY_EVENTS", 1_000_000), get("CIVICFLOW_BENCH_HISTORY_PROCESSES", 10_000), get("CIVICFLOW_BENCH_PACED_COMMANDS", 10_000)}
	h.processes = max(64, min(h.processes, h.events/4))
	return h
}

// BenchmarkHistory asks what a long history costs a running server (issue 16). In one run: the
// paced phase (1,000 record_contribution commands/s from 16 clients on 64 processes) on a fresh
// store, started again after it opened them (both phases run on a server just started); then a history is loaded (64 long processes and many short ones with 20 contributions
// each; by default through the engine on the stopped server's store, after which the server
// starts on it and its read models catch up: the rebuild time), the server is stopped cleanly
// and started again (time to ready; then its first seal, a full pass in the background, is waited
// for), the same paced phase runs on the 64 long processes, the server is killed with SIGKILL and started again
// (time to ready). It reports p50/p99/p99.9 of both phases and their ratio, the times to ready,
// the server's peak RSS while serving the history, and the bytes per event on disk (per table in
// the log). The history's size comes from CIVICFLOW_BENCH_HISTORY_EVENTS (CI runs a small one).
// CIVICFLOW_BENCH_HISTORY_KEEP=path keeps the history's store (and its seal files beside it);
// CIVICFLOW_BENCH_HISTORY_FROM=path runs on such a kept history instead of loading one.
// CIVICFLOW_BENCH_HISTORY_LOADER=http loads the history through the API instead of through the
// engine on the store (loadHistoryEngine); CIVICFLOW_BENCH_HISTORY_VERIFY=1 runs `audit verify`
// on the store at the end.
func BenchmarkHistory(b *testing.B) {
	sz := historyBenchSizes(b)
	for range b.N {
		profDir := os.Getenv("CIVICFLOW_BENCH_PROFILE_DIR")
		// debug gives a server a debug address when profiles are asked for (both phases alike:
		// the block and mutex profiles cost the server something).
		debug := func() (string, []string) {
			if profDir == "" {
				return "", nil
			}
			addr := freeAddr(b)
			return addr, []string{"CIVICFLOW_SERVER_DEBUG_ADDR=" + addr}
		}
		freshAddr, freshEnv := debug()
		fresh := startServerEnv(b, freshEnv)
		fresh.token("leipzig", "bench", "lead")
		freshIDs := openProcesses(b, fresh, 64, "Frisch")
		// The history's phase runs on a server just started again (after a clean stop, its
		// first seal done); so does the fresh one, so that both pay the same start (empty page
		// caches, new connections, the token registry's first read) and the ratio is the
		// history's cost alone. Before, the fresh server had served the 64 opens before its phase,
		// and the history's first 16 commands took 60-80 ms against ~3 ms (quiet runs).
		mark := len(fresh.logs.String())
		fresh.stop()
		fresh.restart(b)
		fresh.waitSealed(b, mark, sz)
		b.Logf("fresh phase: load average %s", loadAvg())
		profiledFresh := profileDuring(b, freshAddr, profDir, "fresh-", time.Duration(sz.paced)*time.Millisecond)
		freshLat := probedPhase(b, "fresh", fresh, freshIDs, sz.paced)
		profiledFresh()
		fresh.stop()

		debugAddr, profEnv := debug()
		r := startServerEnv(b, profEnv)
		var long []string
		if from := os.Getenv("CIVICFLOW_BENCH_HISTORY_FROM"); from != "" {
			long = reuseHistory(b, r, from, sz)
		} else {
			r.token("leipzig", "bench", "lead")
			var load loaded
			switch loader := os.Getenv("CIVICFLOW_BENCH_HISTORY_LOADER"); loader {
			case "", "engine":
				// The rebuild's profiles: 30 s of it (rebuild-cpu.pb.gz, ...).
				load = loadHistoryEngine(b, r, sz, func() func() {
					return profileDuring(b, debugAddr, profDir, "rebuild-", 30*time.Second)
				})
			case "http":
				load = loadHistory(b, r, sz)
			default:
				b.Fatalf("CIVICFLOW_BENCH_HISTORY_LOADER=%q: want engine (default) or http", loader)
			}
			long = load.long
			checkHistory(b, r.db, sz, long)
			b.ReportMetric(load.took.Seconds(), "load-s")
			b.ReportMetric(float64(load.commands)/load.took.Seconds(), "load-commands/s")
			if load.rebuild > 0 {
				b.ReportMetric(load.rebuild.Seconds(), "rebuild-s")
			}
		}
		r.stop()
		mark, started := len(r.logs.String()), time.Now()
		readyStop := r.restart(b)
		// The first seal after a start is a full pass over the log in the background (see
		// Seals): the paced phase measures the server serving its history after it.
		firstSeal := r.waitSealed(b, mark, sz).Sub(started)
		if os.Getenv("CIVICFLOW_BENCH_HISTORY_LOG") != "" {
			b.Logf("start after a clean stop:\n%s", r.logs.String()[mark:])
		}
		b.Logf("history phase: load average %s", loadAvg())
		profiled := profileDuring(b, debugAddr, profDir, "", time.Duration(sz.paced)*time.Millisecond)
		histLat := probedPhase(b, "history", r, long, sz.paced)
		profiled()
		rss := peakRSS(b, r.cmd.Process.Pid)
		r.cmd.Process.Kill()
		r.cmd.Wait()
		mark = len(r.logs.String())
		readyKill := r.restart(b)
		r.waitSealed(b, mark, sz)
		if os.Getenv("CIVICFLOW_BENCH_HISTORY_LOG") != "" {
			b.Logf("start after SIGKILL:\n%s", r.logs.String()[mark:])
		}
		r.stop()
		total, tables := diskUse(b, r.db)
		if os.Getenv("CIVICFLOW_BENCH_HISTORY_VERIFY") != "" {
			t0 := time.Now()
			if out, code := r.cli("audit", "verify", "--db", r.db); code != 0 {
				b.Fatalf("audit verify on the history: exit %d\n%s", code, out)
			}
			b.ReportMetric(time.Since(t0).Seconds(), "verify-s")
		}
		if keep := os.Getenv("CIVICFLOW_BENCH_HISTORY_KEEP"); keep != "" {
			keepHistory(b, r, keep) // the history's store, for a closer look or a later run
		}

		fp, hp := percentiles(freshLat), percentiles(histLat)
		for i, q := range []string{"p50", "p99", "p99.9"} {
			b.ReportMetric(fp[i], "fresh-"+q+"-ms")
			b.ReportMetric(hp[i], "history-"+q+"-ms")
		}
		b.ReportMetric(hp[1]/fp[1], "p99-ratio")
		b.ReportMetric(hp[2]/fp[2], "p99.9-ratio")
		b.ReportMetric(readyStop.Seconds(), "ready-after-stop-s")
		b.ReportMetric(readyKill.Seconds(), "ready-after-kill-s")
		b.ReportMetric(firstSeal.Seconds(), "first-seal-s")
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
		b.ReportMetric(float64(total.bytes)/float64(total.events), "bytes/event")
		b.ReportMetric(float64(total.events), "events")
		b.Logf("disk per table (bytes per event of %d): %s", total.events, tables)
	}
}

// profileDuring fetches the server's CPU profile and execution trace (for d) from its debug
// address into dir while the paced phase (or the rebuild) runs; the returned function waits for
// them and then fetches the mutex, block and heap profiles. Their files' names start with prefix.
// With dir empty it does nothing.
// CIVICFLOW_BENCH_PROFILE_DIR=dir turns it on (go tool pprof dir/cpu.pb.gz).
func profileDuring(b *testing.B, addr, dir, prefix string, d time.Duration) func() {
	if dir == "" {
		return func() {}
	}
	fetch := func(name, path string) {
		resp, err := http.Get("http://" + addr + path)
		for wait := time.Now().Add(10 * time.Second); err != nil && time.Now().Before(wait); {
			time.Sleep(20 * time.Millisecond) // a server just started listens in a moment
			resp, err = http.Get("http://" + addr + path)
		}
		if err != nil {
			b.Errorf("profile %s: %v", name, err)
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(filepath.Join(dir, prefix+name))
		if err != nil {
			b.Errorf("profile %s: %v", name, err)
			return
		}
		defer f.Close()
		if _, err := io.Copy(f, resp.Body); err != nil {
			b.Errorf("profile %s: %v", name, err)
		}
	}
	secs := max(1, int(d/time.Second))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); fetch("cpu.pb.gz", fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs)) }()
	go func() { defer wg.Done(); fetch("trace.out", "/debug/pprof/trace?seconds=2") }()
	return func() {
		wg.Wait()
		for _, p := range []string{"mutex", "block", "heap", "goroutine"} {
			fetch(p+".pb.gz", "/debug/pprof/"+p)
		}
		b.Logf("profiles %s* in %s", prefix, dir)
	}
}

// sealFiles are the files beside a test server's store that its seals need: the key, its public
// half and the heads file (see startServerEnv and config.Audit.HeadsPath).
var sealFiles = []string{"seal.key", "seal.key.pub", "seal.heads"}

// keepHistory copies the history's store to path and its seal files to path + "." + name, so that
// CIVICFLOW_BENCH_HISTORY_FROM=path runs the benchmark on it again without loading it again.
func keepHistory(b *testing.B, r *running, path string) {
	copyFile(b, r.db, path)
	for _, name := range sealFiles {
		copyFile(b, filepath.Join(filepath.Dir(r.db), name), path+"."+name)
	}
}

// reuseHistory replaces the stopped server's store and seal files by a history kept with
// CIVICFLOW_BENCH_HISTORY_KEEP, starts it, creates the bench token and returns the 64 processes
// with the most events (the long ones of loadHistory).
func reuseHistory(b *testing.B, r *running, from string, sz historyBench) []string {
	r.stop()
	copyFile(b, from, r.db)
	for _, name := range sealFiles {
		copyFile(b, from+"."+name, filepath.Join(filepath.Dir(r.db), name))
	}
	mark := len(r.logs.String())
	r.restart(b)
	r.waitSealed(b, mark, sz)
	r.token("leipzig", "bench", "lead")
	db, err := sql.Open("sqlite", "file:"+r.db+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT substr(stream, 9) FROM events WHERE stream LIKE 'process-%' GROUP BY stream ORDER BY count(*) DESC LIMIT 64`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var long []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		long = append(long, id)
	}
	if err := rows.Err(); err != nil || len(long) != 64 {
		b.Fatalf("the kept history %s has %d long processes (%v), want 64", from, len(long), err)
	}
	return long
}

// openProcesses opens n processes as the Leipzig lead and returns their IDs.
func openProcesses(b *testing.B, r *running, n int, title string) []string {
	ids := make([]string, n)
	parallel(b, n, 16, func(i int) error {
		rep := r.call("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": fmt.Sprint(title, " ", i)})
		if rep.status != 201 && rep.status != 200 {
			return fmt.Errorf("open: %d %s", rep.status, rep.raw)
		}
		ids[i] = rep.body["process"].(string)
		return nil
	})
	return ids
}

// loaded is what a history loader did: the 64 long processes, the commands it ran (opening
// processes and recording contributions), how long that took, and, for a loader that writes
// the log without the server, how long the server then took to be ready on it (its read models
// and process list catching up with the whole history: the rebuild).
type loaded struct {
	long     []string
	commands int
	took     time.Duration
	rebuild  time.Duration
}

// perShort is the number of contributions on each short process of a history.
const perShort = 20

// longContributions is the number of contributions on each of the 64 long processes.
func longContributions(sz historyBench) int {
	return max(1, (sz.events-sz.processes-perShort*(sz.processes-64))/64)
}

// historyWork is the order in which a loader records the history's contributions on the
// processes ids: perShort rounds over the short ones (all but the first 64), then rounds over the
// 64 long ones until the log holds about sz.events events (opening a process writes one).
func historyWork[T any](sz historyBench, ids []T) []T {
	long, short := ids[:64], ids[64:]
	perLong := longContributions(sz)
	work := make([]T, 0, perShort*len(short)+perLong*len(long))
	for range perShort {
		work = append(work, short...)
	}
	for range perLong {
		work = append(work, long...)
	}
	return work
}

// loadHistory loads the history through the HTTP API of the running server
// (CIVICFLOW_BENCH_HISTORY_LOADER=http): it opens sz.processes processes and records the
// contributions of historyWork with 64 clients. ~350–670 commands/s on a 2-core machine.
func loadHistory(b *testing.B, r *running, sz historyBench) loaded {
	start := time.Now()
	ids := openProcesses(b, r, sz.processes, "Verlauf")
	work := historyWork(sz, ids)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}, Timeout: 60 * time.Second}
	var done atomic.Int64
	parallel(b, len(work), 64, func(i int) error {
		if _, err := contribute(client, r, work[i]); err != nil {
			return err
		}
		if n := done.Add(1); n%100_000 == 0 {
			b.Logf("history: %d of %d commands, %.0f/s", n, len(work), float64(n)/time.Since(start).Seconds())
		}
		return nil
	})
	took := time.Since(start)
	r.waitReady()
	return loaded{long: ids[:64], commands: len(ids) + len(work), took: took}
}

// parallel runs f(0..n-1) on workers goroutines and fails the benchmark on the first error.
func parallel(b testing.TB, n, workers int, f func(i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Bool
	for range workers {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					failed.Store(true)
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		b.FailNow()
	}
}

// contribute records one contribution on process id and returns how long the command took.
func contribute(client *http.Client, r *running, id string) (time.Duration, error) {
	body := []byte(`{"topic":"Radweg","text":"Eine sichere Querung vor der Grundschule"}`)
	req, _ := http.NewRequest("POST", r.url+"/api/v1/processes/"+id+"/record_contribution", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.tokens["lead@leipzig"])
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("record_contribution: status %d", resp.StatusCode)
	}
	return time.Since(t0), nil
}

// pacedPhase sends n commands at 1,000/s from 16 clients (each every 16 ms, starts spread over
// one period) on the processes ids, and returns every command's latency. With
// CIVICFLOW_BENCH_LATENCY_DIR=dir it also writes each command's start (ms since the phase began),
// latency (ms) and process to dir/name-latency.tsv, to tell stalls that hit every client at once
// from slow single commands.
func pacedPhase(b *testing.B, r *running, ids []string, n int, name string) []time.Duration {
	const clients, period = 16, 16 * time.Millisecond
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}, Timeout: 30 * time.Second}
	lat := make([]time.Duration, n)
	began := make([]time.Duration, n)
	target := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			tick := start.Add(time.Duration(c) * period / clients)
			for k := 0; ; k++ {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				tick = tick.Add(period)
				time.Sleep(time.Until(tick))
				id := ids[(c+16*k)%len(ids)]
				began[i], target[i] = time.Since(start), id
				d, err := contribute(client, r, id)
				if err != nil {
					b.Error(err)
					return
				}
				lat[i] = d
			}
		})
	}
	wg.Wait()
	if dir := os.Getenv("CIVICFLOW_BENCH_LATENCY_DIR"); dir != "" {
		var out strings.Builder
		out.WriteString("start_ms\tlatency_ms\tprocess\n")
		for i := range lat {
			fmt.Fprintf(&out, "%.3f\t%.3f\t%s\n", float64(began[i].Microseconds())/1000, float64(lat[i].Microseconds())/1000, target[i])
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-latency.tsv"), []byte(out.String()), 0o644); err != nil {
			b.Error(err)
		}
	}
	return lat
}

// percentiles returns p50, p99 and p99.9 in milliseconds.
func percentiles(lat []time.Duration) [3]float64 {
	s := slices.Clone(lat)
	slices.Sort(s)
	at := func(q float64) float64 {
		return float64(s[min(len(s)-1, int(q*float64(len(s))))].Microseconds()) / 1000
	}
	return [3]float64{at(0.50), at(0.99), at(0.999)}
}

// restart starts the server again on its database and returns the time until /readyz is 200.
func (r *running) restart(b *testing.B) time.Duration {
	b.Helper()
	start := time.Now()
	r.startAgain(b)
	r.waitReady()
	return time.Since(start)
}

// startAgain starts the server again on its database, with the same arguments and environment.
func (r *running) startAgain(b testing.TB) {
	b.Helper()
	args := r.cmd.Args[1:]
	cmd := exec.Command(r.bin, args...)
	cmd.Env = r.cmd.Env
	cmd.Stdout, cmd.Stderr = r.logs, r.logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	r.cmd = cmd
	b.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
}

// waitSealed waits for the first seal of a server started after mark, a full pass over the log
// in the background: stopping it before would make its stop do the pass again (at 10^7 events
// longer than r.stop waits).
func (r *running) waitSealed(b *testing.B, mark int, sz historyBench) time.Time {
	b.Helper()
	return r.waitLogged(b, mark, "log sealed", time.Duration(max(60, sz.events/10_000))*time.Second)
}

// waitLogged waits up to wait until the server's output after mark holds text, and returns when
// it saw it.
func (r *running) waitLogged(b testing.TB, mark int, text string, wait time.Duration) time.Time {
	b.Helper()
	for deadline := time.Now().Add(wait); ; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(r.logs.String()[mark:], text) {
			return time.Now()
		}
		if time.Now().After(deadline) {
			b.Fatalf("no %q in the server's output within %v:\n%s", text, wait, r.logs.String()[mark:])
		}
	}
}

// peakRSS is the process's peak resident set size in bytes (VmHWM).
func peakRSS(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}

type diskTotal struct{ events, bytes int64 }

// diskUse reads the database's pages per table and index (SQLite's dbstat) and the number of
// events, and returns the total and a line per object in bytes per event, largest first.
func diskUse(b *testing.B, path string) (diskTotal, string) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var t diskTotal
	if err := db.QueryRow(`SELECT count(*) FROM events`).Scan(&t.events); err != nil {
		b.Fatal(err)
	}
	rows, err := db.Query(`SELECT name, sum(pgsize) FROM dbstat GROUP BY name`)
	if err != nil {
		b.Fatalf("dbstat: %v", err)
	}
	defer rows.Close()
	type obj struct {
		name  string
		bytes int64
	}
	var objs []obj
	for rows.Next() {
		var o obj
		if err := rows.Scan(&o.name, &o.bytes); err != nil {
			b.Fatal(err)
		}
		objs = append(objs, o)
		t.bytes += o.bytes
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].bytes > objs[j].bytes })
	var parts []string
	for _, o := range objs {
		if per := float64(o.bytes) / float64(max(t.events, 1)); per >= 1 {
			parts = append(parts, fmt.Sprintf("%s %.0f", o.name, per))
		}
	}
	return t, strings.Join(parts, ", ")
}
