package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is the complete configuration of civicflow. Every field has a
// default (see [Default]); [Load] fills it from a file, the environment and
// command-line flags.
type Config struct {
	// Store configures the event store.
	Store Store `mapstructure:"store"`
	// Log configures the process log.
	Log Log `mapstructure:"log"`
	// Server configures "civicflow serve".
	Server Server `mapstructure:"server"`
	// Client configures the CLI's API client commands.
	Client Client `mapstructure:"client"`
	// Audit configures the seals of the log.
	Audit Audit `mapstructure:"audit"`
	// Auth configures sign-in to the web dashboard besides tokens (auth.go).
	Auth Auth `mapstructure:"auth"`
	// Notify configures the notifications about legal periods.
	Notify Notify `mapstructure:"notify"`
	// Cluster configures several instances on one PostgreSQL store (cluster.go).
	Cluster Cluster `mapstructure:"cluster"`
}

// Notify configures the notifications about legal periods (ends, reminders and escalations).
type Notify struct {
	// WebhooksFile is a YAML file listing the webhooks, each with tenant, url and secret (the
	// key of the HMAC-SHA256 signature). Default "": no webhooks.
	WebhooksFile string `mapstructure:"webhooks_file"`
	// MailFile is a YAML file listing each tenant's mail server (addr host:port, username,
	// password, from) and the addresses (to) that receive e-mail about periods, and optionally
	// escalate_to, who also receive the escalations (e.g. the administrators). Default "": none.
	MailFile string `mapstructure:"mail_file"`
}

// Audit configures the signed tree heads (seals) of the global log.
type Audit struct {
	// SealKeyFile is the Ed25519 signing key of the seals (note format). Keep it outside the
	// database's directory and its backups, where a database writer cannot read it. Default
	// "./data/seal.key"; created by "serve" when missing (unless SealKey is set), with the public
	// key beside it (".pub").
	SealKeyFile string `mapstructure:"seal_key_file"`
	// SealKey is the signing key itself ("PRIVATE+KEY+…"), e.g. from the environment
	// (CIVICFLOW_AUDIT_SEAL_KEY) or a secret store; when set, SealKeyFile is not read and no key
	// file is created. Default "".
	SealKey string `mapstructure:"seal_key"`
	// HeadsFile is the append-only file outside the database to which every seal is also
	// written, one signed note per line; a new seal must extend its last head. Default "": the
	// file "seal.heads" beside SealKeyFile (see HeadsPath).
	HeadsFile string `mapstructure:"heads_file"`
	// SealInterval is how often "serve" seals the log; 0 disables. Default 1h; must be >= 0.
	SealInterval time.Duration `mapstructure:"seal_interval"`
	// SealPassPercent is the share of the time, in percent, that the full pass of a server's
	// first seal (every record checked, in the background) may work: after each slice of work it
	// waits, so that commands served meanwhile get the CPU; the pass takes about 100/SealPassPercent
	// times as long (less on a busy machine). "audit seal" is not paced. Default 25 (100: it never
	// waits); 1–100.
	SealPassPercent int `mapstructure:"seal_pass_percent"`
}

// HeadsPath is HeadsFile, or "seal.heads" in SealKeyFile's directory when HeadsFile is empty.
func (a Audit) HeadsPath() string {
	if strings.TrimSpace(a.HeadsFile) != "" {
		return a.HeadsFile
	}
	return filepath.Join(filepath.Dir(a.SealKeyFile), "seal.heads")
}

// Server configures the HTTP server.
type Server struct {
	// Addr is the listen address. Default ":8080".
	Addr string `mapstructure:"addr"`
	// ShutdownTimeout is how long in-flight requests may take to finish on shutdown. Default 15s;
	// must be > 0.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	// MaxBodyBytes limits request bodies. Default 1048576 (1 MiB); between 1 KiB and 64 MiB.
	MaxBodyBytes int `mapstructure:"max_body_bytes"`
	// ReadyMaxLag is how many events the event handlers may be behind the log before /readyz
	// reports not ready. Default 1000; must be >= 0.
	ReadyMaxLag int `mapstructure:"ready_max_lag"`
	// DemoTokensFile is where "serve --demo" writes the demo users' tokens, once. Default
	// "./data/demo-tokens.txt".
	DemoTokensFile string `mapstructure:"demo_tokens_file"`
	// AccessibilityContact is where people report accessibility barriers of the web pages (an
	// e-mail address or a URL), named in the accessibility statement (/barrierefreiheit) that
	// BITV 2.0 requires. Default empty: the statement says that none is configured.
	AccessibilityContact string `mapstructure:"accessibility_contact"`
	// DebugAddr is where serve offers Go's profiles (/debug/pprof/: CPU, heap, block, mutex,
	// goroutines, execution trace) to the operator. Default empty: off. Must be a loopback
	// address (127.0.0.1:PORT, [::1]:PORT or localhost:PORT): profiles show internals and cost
	// CPU, so they are never served to the network.
	DebugAddr string `mapstructure:"debug_addr"`
	// MemoryLimit is the soft limit serve gives Go's heap (runtime/debug.SetMemoryLimit), so that
	// the garbage collector works harder as the process nears it instead of letting the heap grow
	// to twice what is live. Default "auto": 64 MiB plus 2 KiB per process in the process list
	// when serve has restored it (MemoryLimitBytes). Else "off" (no limit) or a size as GOMEMLIMIT
	// writes it: bytes, or a number with B, KiB, MiB, GiB or TiB, at least 16 MiB. An explicit
	// GOMEMLIMIT in serve's environment wins over it.
	MemoryLimit string `mapstructure:"memory_limit"`
}

// Client configures the CLI commands that talk to a server.
type Client struct {
	// Server is the server's base URL. Default "http://localhost:8080".
	Server string `mapstructure:"server"`
	// Token is the bearer token. Default "" (the commands then refuse to run).
	Token string `mapstructure:"token"`
	// Timeout is the time one request may take. Default 30s; must be > 0.
	Timeout time.Duration `mapstructure:"timeout"`
}

// Store configures the event store.
type Store struct {
	// Backend names the storage technology behind the ports: "sqlite" (default; one embedded
	// file), "postgres" (store.postgres) or "eventstoredb" (store.eventstoredb). See ops/storage
	// for what each provides. The key was called "driver" before; that name is refused.
	Backend string `mapstructure:"backend"`
	// MaxEventBytes is the largest encoded event the store accepts, in
	// bytes. Default 1048576 (1 MiB); must be > 0 and <= 64 MiB.
	MaxEventBytes int `mapstructure:"max_event_bytes"`
	// SQLite configures the SQLite backend.
	SQLite SQLite `mapstructure:"sqlite"`
	// Postgres configures the PostgreSQL backend; read only when Backend is "postgres".
	Postgres Postgres `mapstructure:"postgres"`
	// EventStoreDB configures the EventStoreDB backend; read only when Backend is "eventstoredb".
	EventStoreDB EventStoreDB `mapstructure:"eventstoredb"`
}

// Postgres configures the PostgreSQL backend.
type Postgres struct {
	// URL is the connection string, postgres://user[:password]@host[:port]/database[?…]. Default
	// "": required when store.backend is "postgres". Prefer the environment
	// (CIVICFLOW_STORE_POSTGRES_URL) when it holds a password.
	URL string `mapstructure:"url"`
	// Schema is the PostgreSQL schema that holds civicflow's tables, created when missing: a
	// lower-case SQL identifier (letters, digits, _; at most 63). Default "civicflow".
	Schema string `mapstructure:"schema"`
}

// EventStoreDB configures the EventStoreDB backend.
type EventStoreDB struct {
	// URL is the connection string, esdb://host:2113?tls=false (or esdb+discover://…). Default
	// "": required when store.backend is "eventstoredb".
	URL string `mapstructure:"url"`
	// Companion names where everything but the events is kept — the vault of personal-data
	// keys, snapshots and their archive, checkpoints, Merkle tiles, seals and the read models:
	// "sqlite" (default; the file store.sqlite.path) or "postgres" (store.postgres.url and
	// store.postgres.schema, then required; for several instances).
	Companion string `mapstructure:"companion"`
}

// SQLite configures the SQLite event store.
type SQLite struct {
	// Path is the database file. Default "./data/civicflow.db"; must not be
	// empty.
	Path string `mapstructure:"path"`
	// Synchronous is SQLite's synchronous pragma: "full" (default), "extra",
	// "normal" or "off". "normal" and "off" may lose acknowledged writes on
	// power loss and therefore require AllowDataLoss.
	Synchronous string `mapstructure:"synchronous"`
	// AllowDataLoss acknowledges that Synchronous "normal" or "off" may lose
	// acknowledged writes on power loss. Default false; must be true when
	// Synchronous is "normal" or "off".
	AllowDataLoss bool `mapstructure:"allow_data_loss"`
	// BusyTimeout is how long a connection waits for a lock held by another
	// connection before it fails. Default 5s; must be >= 0.
	BusyTimeout time.Duration `mapstructure:"busy_timeout"`
	// MaxBatch is the group-commit limit: the most appends written in one
	// transaction. Default 256; must be between 1 and 10000.
	MaxBatch int `mapstructure:"max_batch"`
}

// Log configures the process log.
type Log struct {
	// Level is the lowest level logged: "info" (default), "debug", "warn"
	// or "error".
	Level string `mapstructure:"level"`
	// Format is the log line format: "text" (default) or "json".
	Format string `mapstructure:"format"`
}

// Limits checked by [Config.Validate].
const (
	maxEventBytesLimit = 64 << 20
	maxBatchLimit      = 10000
)

// Allowed values of the enumerated keys, in the order they are listed in
// error messages.
var (
	backends   = []string{"sqlite", "postgres", "eventstoredb"}
	syncModes  = []string{"full", "extra", "normal", "off"}
	lossySyncs = []string{"normal", "off"}
	logLevels  = []string{"info", "debug", "warn", "error"}
	logFormats = []string{"text", "json"}
)

// Default returns the configuration used when nothing else is set.
func Default() Config {
	return Config{
		Store: Store{
			Backend:       "sqlite",
			MaxEventBytes: 1 << 20,
			Postgres:      Postgres{Schema: "civicflow"},
			EventStoreDB:  EventStoreDB{Companion: "sqlite"},
			SQLite: SQLite{
				Path:          "./data/civicflow.db",
				Synchronous:   "full",
				AllowDataLoss: false,
				BusyTimeout:   5 * time.Second,
				MaxBatch:      256,
			},
		},
		Log: Log{
			Level:  "info",
			Format: "text",
		},
		Server: Server{
			Addr:            ":8080",
			ShutdownTimeout: 15 * time.Second,
			MaxBodyBytes:    1 << 20,
			ReadyMaxLag:     1000,
			DemoTokensFile:  "./data/demo-tokens.txt",
			MemoryLimit:     "auto",
		},
		Client: Client{
			Server:  "http://localhost:8080",
			Timeout: 30 * time.Second,
		},
		Audit: Audit{
			SealKeyFile:     "./data/seal.key",
			SealInterval:    time.Hour,
			SealPassPercent: 25,
		},
		Auth:    defaultAuth(),
		Cluster: defaultCluster(),
	}
}

// Validate checks every field and reports all problems at once, joined with
// [errors.Join]. Each problem is a [*KeyError] naming the full dotted key,
// e.g. `store.sqlite.synchronous: "fast" is not one of full, extra, normal, off`.
func (c Config) Validate() error {
	var errs []error
	check := func(key string, err error) {
		if err != nil {
			errs = append(errs, &KeyError{Key: key, Err: err})
		}
	}
	s, sq := c.Store, c.Store.SQLite
	check("store.backend", oneOf(s.Backend, backends))
	s.validateBackends(check)
	check("store.max_event_bytes", between(s.MaxEventBytes, 1, maxEventBytesLimit))
	if strings.TrimSpace(sq.Path) == "" {
		check("store.sqlite.path", errors.New("must not be empty"))
	}
	check("store.sqlite.synchronous", oneOf(sq.Synchronous, syncModes))
	if slices.Contains(lossySyncs, sq.Synchronous) && !sq.AllowDataLoss {
		check("store.sqlite.synchronous", fmt.Errorf(
			"%q may lose acknowledged writes on power loss; "+
				"set store.sqlite.allow_data_loss to true to accept that, or use \"full\"",
			sq.Synchronous))
	}
	if sq.BusyTimeout < 0 {
		check("store.sqlite.busy_timeout", fmt.Errorf("must be >= 0, got %s", sq.BusyTimeout))
	}
	check("store.sqlite.max_batch", between(sq.MaxBatch, 1, maxBatchLimit))
	check("log.level", oneOf(c.Log.Level, logLevels))
	check("log.format", oneOf(c.Log.Format, logFormats))
	if strings.TrimSpace(c.Server.Addr) == "" {
		check("server.addr", errors.New("must not be empty"))
	}
	if c.Server.ShutdownTimeout <= 0 {
		check("server.shutdown_timeout", fmt.Errorf("must be > 0, got %s", c.Server.ShutdownTimeout))
	}
	check("server.max_body_bytes", between(c.Server.MaxBodyBytes, 1<<10, 64<<20))
	if c.Server.ReadyMaxLag < 0 {
		check("server.ready_max_lag", fmt.Errorf("must be >= 0, got %d", c.Server.ReadyMaxLag))
	}
	if c.Server.DebugAddr != "" {
		check("server.debug_addr", loopbackAddr(c.Server.DebugAddr))
	}
	if _, err := c.Server.MemoryLimitBytes(0); err != nil {
		check("server.memory_limit", err)
	}
	if strings.TrimSpace(c.Server.DemoTokensFile) == "" {
		check("server.demo_tokens_file", errors.New("must not be empty"))
	}
	if u, err := url.Parse(c.Client.Server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		check("client.server", fmt.Errorf("%q is not an http(s) URL", c.Client.Server))
	}
	if c.Client.Timeout <= 0 {
		check("client.timeout", fmt.Errorf("must be > 0, got %s", c.Client.Timeout))
	}
	if strings.TrimSpace(c.Audit.SealKeyFile) == "" {
		check("audit.seal_key_file", errors.New("must not be empty"))
	}
	if k := strings.TrimSpace(c.Audit.SealKey); k != "" && !strings.HasPrefix(k, "PRIVATE+KEY+") {
		check("audit.seal_key", errors.New(`is not a signing key (one starts with "PRIVATE+KEY+"; the value is not shown)`))
	}
	if c.Audit.SealInterval < 0 {
		check("audit.seal_interval", fmt.Errorf("must be >= 0, got %s", c.Audit.SealInterval))
	}
	if s.Backend == "eventstoredb" && c.Audit.SealInterval != 0 {
		check("audit.seal_interval", fmt.Errorf(`must be 0 when store.backend is "eventstoredb", got %s: the seals number the log's events 1, 2, 3, … `+
			"by their positions, and EventStoreDB's $all positions are byte offsets; every stream's hash chain is kept and verified "+
			"(see the README, The EventStoreDB store)", c.Audit.SealInterval))
	}
	if c.Audit.SealPassPercent < 1 || c.Audit.SealPassPercent > 100 {
		check("audit.seal_pass_percent", fmt.Errorf("must be 1–100, got %d", c.Audit.SealPassPercent))
	}
	c.Auth.OIDC.validate(check)
	c.Cluster.validate(check)
	c.Cluster.validateNotify(s.Backend, check)
	return errors.Join(errs...)
}

// oneOf reports an error unless v is one of allowed.
func oneOf(v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

// between reports an error unless lo <= v <= hi.
func between(v, lo, hi int) error {
	if v >= lo && v <= hi {
		return nil
	}
	return fmt.Errorf("must be between %d and %d, got %d", lo, hi, v)
}

// loopbackAddr accepts host:port addresses whose host is a loopback IP or "localhost".
func loopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %w", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port %q is not a number from 0 to 65535", addr, port)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%q: host must be a loopback address (127.0.0.1, ::1 or localhost), the profiles are not for the network", addr)
	}
	return nil
}
