// Package notifytest runs a real SMTP server (emersion/go-smtp) in the test's process that keeps
// the messages it receives, for tests of e-mail notifications.
package notifytest

import (
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	To      []string
	Message *mail.Message
	Body    []byte
}

// Mailbox is a running SMTP server on 127.0.0.1 with what it received.
type Mailbox struct {
	// Addr is the server's host:port.
	Addr string
	// Got receives a value for every message (buffered; sends that would block are dropped).
	Got chan struct{}

	mu   sync.Mutex
	msgs []Received
}

// Start starts a mailbox that stops when the test ends.
func Start(t testing.TB) *Mailbox {
	t.Helper()
	box := &Mailbox{Got: make(chan struct{}, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{box: box}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	box.Addr = ln.Addr().String()
	return box
}

// Messages returns the messages received so far.
func (b *Mailbox) Messages() []Received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Received(nil), b.msgs...)
}

type session struct {
	box *Mailbox
	to  []string
}

func (s *session) Reset()                                    { s.to = nil }
func (s *session) Logout() error                             { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }

func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, Received{To: s.to, Message: msg, Body: body})
	s.box.mu.Unlock()
	select {
	case s.box.Got <- struct{}{}:
	default:
	}
	return nil
}
