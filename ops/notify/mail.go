package notify

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/domain/period"
)

// MailHandler names the router handler of e-mail; never rename it.
const MailHandler = "notify_mail"

// MailTarget is a tenant's mail server and the addresses that receive its notifications.
type MailTarget struct {
	Tenant string
	// Addr is the SMTP server, host:port; STARTTLS is used when the server offers it.
	Addr string
	// Username and Password authenticate (PLAIN, only over TLS or to localhost); empty: none.
	Username, Password string
	From               string
	To                 []string
	// EscalateTo receive the escalations (process.escalation_due) besides To, e.g. the tenant's
	// administrators; empty: escalations go to To only.
	EscalateTo []string
}

// recipients returns who receives a delivery: To, and for an escalation also EscalateTo.
func (t MailTarget) recipients(d Delivery) []string {
	if d.After > 0 {
		return append(append([]string(nil), t.To...), t.EscalateTo...)
	}
	return t.To
}

// Mailer sends e-mail about the ends of periods and reminders.
type Mailer struct {
	Targets []MailTarget
	// Clock dates the messages. Required.
	Clock func() time.Time
}

// Handle is the router handler: it mails the message's event to every target of its tenant.
func (m *Mailer) Handle(msg *message.Message) error {
	d, ok, err := deliveryOf(msg)
	if err != nil || !ok {
		return err
	}
	var errs error
	for _, t := range m.Targets {
		if t.Tenant != d.Tenant {
			continue
		}
		var auth smtp.Auth
		if t.Username != "" {
			host, _, _ := net.SplitHostPort(t.Addr)
			auth = smtp.PlainAuth("", t.Username, t.Password, host)
		}
		to := t.recipients(d)
		if err := smtp.SendMail(t.Addr, auth, t.From, to, Mail(d, t.From, to, m.Clock())); err != nil {
			errs = errors.Join(errs, fmt.Errorf("notify: mail to %s via %s: %w", strings.Join(to, ", "), t.Addr, err))
		}
	}
	return errs
}

// Mail renders a delivery as an e-mail in German and English (RFC 5322, UTF-8). Its Message-ID
// derives from the delivery's ID, so that a retried or replayed message is recognised.
func Mail(d Delivery, from string, to []string, now time.Time) []byte {
	loc, _ := time.LoadLocation(period.DefaultZone)
	end := period.FormatEnd(d.EndsAt, loc, "de")
	endEN := period.FormatEnd(d.EndsAt, loc, "en")
	subject := fmt.Sprintf("Frist „%s“ abgelaufen / period ended", d.Deadline)
	text := fmt.Sprintf("Die Frist „%s“ des Verfahrens %s ist abgelaufen: sie %s.\r\n\r\nThe period “%s” of process %s has ended: it %s.\r\n",
		d.Deadline, d.Process, end, d.Deadline, d.Process, endEN)
	if d.Before > 0 {
		subject = fmt.Sprintf("Erinnerung: Frist „%s“ endet in %d Tagen / reminder", d.Deadline, d.Before)
		text = fmt.Sprintf("Die Frist „%s“ des Verfahrens %s %s (in %d Tagen).\r\n\r\nThe period “%s” of process %s %s (in %d days).\r\n",
			d.Deadline, d.Process, end, d.Before, d.Deadline, d.Process, endEN, d.Before)
	}
	if d.After > 0 {
		subject = fmt.Sprintf("Eskalation: Frist „%s“ seit %d Tagen abgelaufen / escalation", d.Deadline, d.After)
		text = fmt.Sprintf("Die Frist „%s“ des Verfahrens %s ist seit %d Tagen abgelaufen (sie %s), und das Verfahren ist noch in derselben Phase.\r\n\r\nThe period “%s” of process %s ended %d days ago (it %s) and the process is still in the same stage.\r\n",
			d.Deadline, d.Process, d.After, end, d.Deadline, d.Process, d.After, endEN)
	}
	var b strings.Builder
	for _, h := range [][2]string{
		{"From", from}, {"To", strings.Join(to, ", ")}, {"Subject", mime.QEncoding.Encode("utf-8", subject)},
		{"Date", now.Format(time.RFC1123Z)}, {"Message-ID", "<" + d.ID + "@civicflow>"},
		{"MIME-Version", "1.0"}, {"Content-Type", "text/plain; charset=utf-8"}, {"Content-Transfer-Encoding", "8bit"},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n" + text)
	return []byte(b.String())
}
