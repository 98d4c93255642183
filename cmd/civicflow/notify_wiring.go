package main

import (
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/sqlite"
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

// addNotify adds the webhook handler to the router, with its own consumer group, so that a
// restart goes on after the last event it delivered (or gave up on: see the poison topic).
func addNotify(router *message.Router, store *sqlite.Store, hooks *notify.Webhooks) (func(), error) {
	if hooks == nil {
		return func() {}, nil
	}
	sub, err := messaging.NewSubscriber(store, messaging.SubscriberConfig{ConsumerGroup: notify.Handler, Checkpoints: store.Checkpoints()})
	if err != nil {
		return nil, err
	}
	router.AddConsumerHandler(notify.Handler, "process", sub, hooks.Handle)
	return func() { sub.Close() }, nil
}
