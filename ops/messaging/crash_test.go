package messaging_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// crashChildEnv holds "<database>|<handled log>" when the test binary runs as the crash test's
// child: a router whose handler appends each message's UUID to the log.
const crashChildEnv = "CIVICFLOW_TEST_MESSAGING_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		runHandlerChild(spec)
		return
	}
	os.Exit(m.Run())
}

// runHandlerChild handles the topic "orders" in consumer group "crash" until it is killed. The
// handler's effect is a line in the log, written and synced before the handler returns.
func runHandlerChild(spec string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	dbPath, logPath, _ := strings.Cut(spec, "|")
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: dbPath})
	if err != nil {
		fail(err)
	}
	log, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fail(err)
	}
	pub, _ := messaging.NewPublisher(s, messaging.PublisherConfig{})
	sub, err := messaging.NewSubscriber(s, messaging.SubscriberConfig{ConsumerGroup: "crash", Checkpoints: s.Checkpoints()})
	if err != nil {
		fail(err)
	}
	router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub})
	if err != nil {
		fail(err)
	}
	router.AddConsumerHandler("crash", "orders", sub, func(msg *message.Message) error {
		if _, err := log.WriteString(msg.UUID + "\n"); err != nil { // one write: whole or not at all
			return err
		}
		return log.Sync()
	})
	fail(fmt.Errorf("router stopped: %v", router.Run(context.Background())))
}

// TestRouter_loses_nothing_when_killed: a handler process is killed with SIGKILL again and again
// while it works through the log. Every message is handled; one handled again after a kill at
// most (the one whose checkpoint the kill prevented); none is skipped.
func TestRouter_loses_nothing_when_killed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes; skipped with -short")
	}
	const total = 300
	dir := t.TempDir()
	dbPath, logPath := filepath.Join(dir, "db"), filepath.Join(dir, "handled")
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	pub := publisher(t, s)
	want := make([]string, total)
	for i := range want {
		want[i] = fmt.Sprintf("m%04d", i+1)
		if err := pub.Publish("orders", message.NewMessage(want[i], []byte("{}"))); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	kills := 0
	for handled := handledLines(t, logPath); len(distinct(handled)) < total; handled = handledLines(t, logPath) {
		if kills > 20 {
			t.Fatalf("after %d kills only %d of %d messages are handled", kills, len(distinct(handled)), total)
		}
		runChildUntil(t, dbPath+"|"+logPath, logPath, len(distinct(handled))+min(70, total-len(distinct(handled))))
		kills++
	}
	handled := handledLines(t, logPath)
	// The log must be the messages in order, where a kill may repeat the last one handled.
	next, repeats := 0, 0
	for i, id := range handled {
		switch {
		case next < total && id == want[next]:
			next++
		case next > 0 && id == want[next-1]:
			repeats++
		default:
			t.Fatalf("line %d: handled %s, want %s (or %s again)", i+1, id, want[min(next, total-1)], want[max(next-1, 0)])
		}
	}
	if next != total || repeats > kills {
		t.Fatalf("%d of %d messages handled in order, %d handled twice after %d kills", next, total, repeats, kills)
	}
	t.Logf("%d kills, %d messages handled twice", kills, repeats)
}

// runChildUntil starts the child and kills it with SIGKILL once the log names n distinct messages.
func runChildUntil(t *testing.T, spec, logPath string, n int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+spec)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("the child exited by itself: %v", err)
		case <-deadline:
			cmd.Process.Kill()
			<-exited
			t.Fatal("the child made no progress")
		case <-time.After(2 * time.Millisecond):
		}
		if len(distinct(handledLines(t, logPath))) >= n {
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			return
		}
	}
}

func handledLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	} else {
		return nil
	}
	return strings.Split(text, "\n")
}

func distinct(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
