package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/lease"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/workflows/seal"
)

// signingKey returns the seal signing key and its public key: audit.seal_key when set, else the
// file audit.seal_key_file (created with its public key beside it when missing).
func signingKey(cfg config.Config, log *slog.Logger) (skey, vkey string, err error) {
	if k := strings.TrimSpace(cfg.Audit.SealKey); k != "" {
		vkey, err := seal.PublicKey(k)
		if err != nil {
			return "", "", fmt.Errorf("audit.seal_key: %w", err)
		}
		return k, vkey, nil
	}
	path := cfg.Audit.SealKeyFile
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createKey(path, log)
	} else if err != nil {
		return "", "", err
	}
	skey = strings.TrimSpace(string(b))
	if vkey, err = seal.PublicKey(skey); err != nil {
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	return skey, vkey, nil
}

func createKey(path string, log *slog.Logger) (string, string, error) {
	s, v, err := seal.GenerateKey("civicflow")
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(path+".pub", []byte(v+"\n"), 0o644); err != nil {
		return "", "", err
	}
	if log != nil {
		log.Info("seal key created: keep it outside the database; give auditors the public key", "key", path, "public_key", path+".pub")
	}
	return s, v, nil
}

// newSealer returns a sealer over the store that also writes every head to the heads file
// (audit.heads_file) and signs only a log that extends its last head. Its full pass works
// passShare of the time (seal.Config.PassShare; 1: unpaced).
func newSealer(st *storage.Storage, cfg config.Config, log *slog.Logger, passShare float64) (*seal.Sealer, string, error) {
	skey, vkey, err := signingKey(cfg, log)
	if err != nil {
		return nil, "", err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("seal key: %w", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, "", err
	}
	sealer, err := seal.New(seal.Config{Store: st.Log, Tiles: st.Tiles, Seals: st.Seals, Signer: signer,
		Verifier: verifier, Witness: headsfile.New(cfg.Audit.HeadsPath()), Clock: time.Now,
		PassShare: passShare})
	return sealer, vkey, err
}

// sealing seals the log while this instance holds the seals' lease and remembers a refusal for
// /readyz.
type sealing struct {
	st      *storage.Storage
	cfg     config.Config
	log     *slog.Logger
	metrics *metrics.Metrics
	mu      sync.Mutex
	refused error
}

// Ready is an error while the last seal (or the full pass at start) was refused.
func (s *sealing) Ready(context.Context) error {
	if s == nil {
		return nil // sealing is off
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused != nil {
		return fmt.Errorf("seals: %w", s.refused)
	}
	return nil
}

// record keeps a refusal for /readyz before it logs it, so that whoever reads the log line and
// then asks /readyz sees the refusal there too.
func (s *sealing) record(err error) {
	s.mu.Lock()
	switch {
	case err == nil:
		s.refused = nil
	case errors.Is(err, seal.ErrRefused):
		s.refused = err
	}
	s.mu.Unlock()
	if errors.Is(err, seal.ErrRefused) {
		s.log.Error("seal refused: the log does not extend its last signed head; nothing was signed", "err", err)
		s.metrics.ObserveSealRefusal()
	} else if err != nil {
		s.log.Error("seal failed", "err", err)
	}
}

// readyAll is ready when every check is.
func readyAll(checks ...func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		for _, c := range checks {
			if err := c(ctx); err != nil {
				return err
			}
		}
		return nil
	}
}

func (s *sealing) sealOnce(ctx context.Context, sealer *seal.Sealer) {
	start := time.Now()
	head, _, err := sealer.Seal(ctx)
	if ctx.Err() != nil {
		s.log.Info("seal cancelled by the stop; the seal at stop extends the last head from its tiles where it can", "pass", string(sealer.LastPass()), "after", time.Since(start).Round(time.Millisecond))
		return
	}
	s.record(err)
	if err == nil {
		s.log.Info("log sealed", "events", head.Size, "root", head.Root.String(), "pass", string(sealer.LastPass()), "took", time.Since(start).Round(time.Millisecond))
	}
}

// stopSealTimeout bounds the seal at stop, within the systemd unit's TimeoutStopSec (60 s) after
// server.shutdown_timeout (15 s) for the requests.
const stopSealTimeout = 20 * time.Second

// sealAtStop is the seal of a stop: incremental only (seal.SealIncremental), from the last head
// whose signed root the tiles give, so that a stop stays short also when it interrupted the
// start's full pass. Where it cannot extend a head soundly it seals nothing new and says so: the
// next start's full pass checks the whole log. A log that was never sealed has no head to extend
// or to check against: its first seal is a full pass, made at stop within stopSealTimeout.
func (s *sealing) sealAtStop(sealer *seal.Sealer) {
	ctx, cancel := context.WithTimeout(context.Background(), stopSealTimeout)
	defer cancel()
	start := time.Now()
	head, _, err := sealer.SealIncremental(ctx)
	if errors.Is(err, seal.ErrNoHead) {
		// The log was never sealed (a stop during a new store's first pass): there is no head to
		// check it against, and its first seal is a full pass, unpaced, within the stop's bound.
		var first *seal.Sealer
		if first, _, err = newSealer(s.st, s.cfg, s.log, 1); err == nil {
			head, _, err = first.Seal(ctx)
			sealer = first
		}
	}
	switch {
	case errors.Is(err, seal.ErrNotSealed):
		s.log.Warn("seal at stop: nothing new sealed; the next start checks the whole log (full pass)", "reason", err, "took", time.Since(start).Round(time.Millisecond))
	case err != nil:
		s.log.Error("seal at stop failed; the next start checks the whole log (full pass)", "err", err)
	default:
		s.log.Info("log sealed", "events", head.Size, "root", head.Root.String(), "pass", string(sealer.LastPass()), "took", time.Since(start).Round(time.Millisecond))
	}
}

// newSealing checks the seal key (creating it when missing) and returns what seals the log while
// serve holds the seals' lease (see run); nil when audit.seal_interval is 0.
func newSealing(st *storage.Storage, cfg config.Config, m *metrics.Metrics, log *slog.Logger) (*sealing, error) {
	if cfg.Audit.SealInterval == 0 {
		return nil, nil
	}
	if _, _, err := newSealer(st, cfg, log, 1); err != nil {
		return nil, err
	}
	return &sealing{st: st, cfg: cfg, log: log, metrics: m}, nil
}

// run seals the log right away, then every audit.seal_interval until ctx ends, and once more
// then (sealAtStop: incremental only), unless the lease was lost (another instance seals now).
// Each run starts with a sealer of its own, whose first seal is a full pass (every record, so that
// a log changed while no instance sealed, or that does not extend its last heads, is refused and
// /readyz answers 503), paced by audit.seal_pass_percent and cancelled by ctx; the later seals
// are incremental (workflows/seal).
func (s *sealing) run(ctx context.Context) error {
	sealer, _, err := newSealer(s.st, s.cfg, s.log, float64(s.cfg.Audit.SealPassPercent)/100)
	if err != nil {
		return err
	}
	s.sealOnce(ctx, sealer)
	t := time.NewTicker(s.cfg.Audit.SealInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if !errors.Is(context.Cause(ctx), lease.ErrLost) {
				s.sealAtStop(sealer)
			}
			return nil
		case <-t.C:
			s.sealOnce(ctx, sealer)
		}
	}
}
