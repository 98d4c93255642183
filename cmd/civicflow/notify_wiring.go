package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/storage"
)

// webhooks reads notify.webhooks_file: nil without one.
func webhooks(cfg config.Config, now func() time.Time) (*notify.Webhooks, error) {
	path := cfg.Notify.WebhooksFile
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("notify.webhooks_file: %w", err)
	}
	var list []struct {
		Tenant string `yaml:"tenant"`
		URL    string `yaml:"url"`
		Secret string `yaml:"secret"`
	}
	if err := yaml.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("notify.webhooks_file %s: %w", path, err)
	}
	hooks := &notify.Webhooks{Clock: now}
	for i, w := range list {
		if w.Tenant == "" || w.URL == "" || len(w.Secret) < 16 {
			return nil, fmt.Errorf("notify.webhooks_file %s: entry %d needs tenant, url and a secret of at least 16 characters", path, i+1)
		}
		hooks.Targets = append(hooks.Targets, notify.Target{Tenant: w.Tenant, URL: w.URL, Secret: w.Secret})
	}
	return hooks, nil
}

// mailer reads notify.mail_file: nil without one.
func mailer(cfg config.Config, now func() time.Time) (*notify.Mailer, error) {
	path := cfg.Notify.MailFile
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("notify.mail_file: %w", err)
	}
	var list []struct {
		Tenant   string   `yaml:"tenant"`
		Addr     string   `yaml:"addr"`
		Username string   `yaml:"username"`
		Password string   `yaml:"password"`
		From     string   `yaml:"from"`
		To       []string `yaml:"to"`
		// EscalateTo receive escalations besides To, e.g. the tenant's administrators.
		EscalateTo []string `yaml:"escalate_to"`
	}
	if err := yaml.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("notify.mail_file %s: %w", path, err)
	}
	m := &notify.Mailer{Clock: now}
	for i, x := range list {
		if x.Tenant == "" || x.Addr == "" || x.From == "" || len(x.To) == 0 {
			return nil, fmt.Errorf("notify.mail_file %s: entry %d needs tenant, addr, from and to", path, i+1)
		}
		m.Targets = append(m.Targets, notify.MailTarget{Tenant: x.Tenant, Addr: x.Addr, Username: x.Username, Password: x.Password, From: x.From, To: x.To, EscalateTo: x.EscalateTo})
	}
	return m, nil
}

// deadLetterCount counts the dead letters not replayed, for the metrics; -1 when the log cannot be
// read (logged).
func deadLetterCount(store eventstore.Store, log *slog.Logger) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	all, err := notify.DeadLetters(ctx, store, messaging.DefaultPoisonTopic)
	if err != nil {
		log.Warn("metrics: dead letters", "err", err)
		return -1
	}
	n := 0
	for _, dl := range all {
		if dl.Replayed.IsZero() {
			n++
		}
	}
	return n
}

// addNotify adds the webhook handler to the router, with its own consumer group, so that a
// restart goes on after the last event it delivered (or gave up on: see the poison topic).
func addNotify(router *message.Router, st *storage.Storage, hooks *notify.Webhooks, mail *notify.Mailer) (func(), error) {
	var closers []func()
	add := func(name string, handle message.NoPublishHandlerFunc) error {
		sub, err := messaging.NewSubscriber(st.Log, messaging.SubscriberConfig{ConsumerGroup: name, Checkpoints: st.Checkpoints})
		if err != nil {
			return err
		}
		router.AddConsumerHandler(name, "process", sub, handle)
		closers = append(closers, func() { sub.Close() })
		return nil
	}
	if hooks != nil {
		if err := add(notify.Handler, hooks.Handle); err != nil {
			return nil, err
		}
	}
	if mail != nil {
		if err := add(notify.MailHandler, mail.Handle); err != nil {
			return nil, err
		}
	}
	return func() {
		for _, c := range closers {
			c()
		}
	}, nil
}
