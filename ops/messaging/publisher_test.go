package messaging_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
)

func TestPublish_refuses_bad_topics_and_names_them(t *testing.T) {
	p := publisher(t, newStore(t))
	cases := []struct{ name, topic, problem string }{
		{"empty", "", "is empty"},
		{"control_character", "orders\n", "control character"},
		{"reserved", "$all", "reserved"},
		{"not_utf8", "orders\xff", "UTF-8"},
		{"too_long", strings.Repeat("t", messaging.MaxTopicLength+1), "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Publish(tc.topic, message.NewMessage(watermill.NewUUID(), []byte("{}")))
			if !errors.Is(err, messaging.ErrInvalidTopic) || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("err %v; want ErrInvalidTopic saying %q", err, tc.problem)
			}
			if tc.topic != "" && !strings.Contains(err.Error(), tc.topic[:min(len(tc.topic), 6)]) {
				t.Errorf("err %v does not name the topic", err)
			}
		})
	}
	if err := p.Publish(strings.Repeat("t", messaging.MaxTopicLength), message.NewMessage(watermill.NewUUID(), []byte("{}"))); err != nil {
		t.Errorf("the longest topic: %v", err)
	}
}

func TestPublish_appends_one_event_per_message_in_a_stream_of_the_topic(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	msg := message.NewMessage(watermill.NewUUID(), []byte(`{"order":42}`))
	middleware.SetCorrelationID("corr-7", msg)
	if err := p.Publish("orders", msg); err != nil {
		t.Fatal(err)
	}
	evs := topicEvents(t, s, "orders")
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	e := evs[0]
	switch {
	case e.Type != messaging.MessageEventType || e.SchemaVersion != 1:
		t.Errorf("type %q schema %d", e.Type, e.SchemaVersion)
	case e.Stream != "orders-"+e.ID.String():
		t.Errorf("stream %q, want orders-<event ID>", e.Stream)
	case e.Metadata.CorrelationID != "corr-7":
		t.Errorf("envelope correlation ID %q", e.Metadata.CorrelationID)
	case !strings.Contains(string(e.Data), `"payload":{"order":42}`):
		t.Errorf("a JSON payload should stay readable JSON in the log: %s", e.Data)
	}
}

func TestPublish_is_idempotent_per_topic_and_message_UUID(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	id := watermill.NewUUID()
	steps := []struct {
		name, topic, payload string
		events               int // events of the topic afterwards
	}{
		{"first", "orders", "1", 1},
		{"retry", "orders", "1", 1},
		{"same_UUID_other_content_keeps_the_first", "orders", "2", 1},
		{"same_UUID_to_another_topic", "poison", "1", 1},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := p.Publish(st.topic, message.NewMessage(id, []byte(st.payload))); err != nil {
				t.Fatal(err)
			}
			evs := topicEvents(t, s, st.topic)
			if len(evs) != st.events {
				t.Fatalf("%d events in topic %s, want %d", len(evs), st.topic, st.events)
			}
		})
	}
	msg := next(t, subscribe(t, subscriber(t, s, ""), "orders"))
	if msg.UUID != id || string(msg.Payload) != "1" {
		t.Errorf("got %s %q, want the first message", msg.UUID, msg.Payload)
	}
}

func TestPublish_round_trips_UUID_payload_and_metadata(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	cases := []struct {
		name, uuid string
		payload    []byte
	}{
		{"compact_json", watermill.NewUUID(), []byte(`{"a":[1,2,{"b":null}]}`)},
		{"json_with_spaces", watermill.NewUUID(), []byte("{ \"a\": 1 }\n")},
		{"json_with_html_characters", watermill.NewUUID(), []byte(`"<b>&amp;</b>"`)},
		{"json_null", watermill.NewUUID(), []byte(`null`)},
		{"text", watermill.NewUUID(), []byte("hello")},
		{"binary", watermill.NewUUID(), []byte{0, 1, 0xfe, 0xff}},
		{"empty", watermill.NewUUID(), nil},
		{"uuid_that_is_not_a_UUID", "order-42/line-1", []byte("x")},
		{"ulid", watermill.NewULID(), []byte("x")},
	}
	var msgs []*message.Message
	for _, tc := range cases {
		msg := message.NewMessage(tc.uuid, tc.payload)
		msg.Metadata.Set("case", tc.name)
		msg.Metadata.Set("ümlaut", "wert mit ß")
		msgs = append(msgs, msg)
	}
	if err := p.Publish("roundtrip", msgs...); err != nil {
		t.Fatal(err)
	}
	ch := subscribe(t, subscriber(t, s, ""), "roundtrip")
	for _, tc := range cases { // in order
		t.Run(tc.name, func(t *testing.T) {
			got := next(t, ch)
			got.Ack()
			if got.UUID != tc.uuid || !bytes.Equal(got.Payload, tc.payload) {
				t.Errorf("got %q %q, want %q %q", got.UUID, got.Payload, tc.uuid, tc.payload)
			}
			if got.Metadata.Get("case") != tc.name || got.Metadata.Get("ümlaut") != "wert mit ß" || len(got.Metadata) != 2 {
				t.Errorf("metadata %v", got.Metadata)
			}
		})
	}
}

func TestPublish_fails_after_Close_and_does_not_close_the_store(t *testing.T) {
	s := newStore(t)
	p, err := messaging.NewPublisher(s, messaging.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := p.Publish("orders", message.NewMessage(watermill.NewUUID(), nil)); !errors.Is(err, messaging.ErrClosed) {
		t.Errorf("Publish after Close: %v", err)
	}
	if _, err := s.Append(t.Context(), "process-1", eventstore.NoStream, domainEvent("process.started", "{}", eventstore.Metadata{})); err != nil {
		t.Errorf("the store was closed with the publisher: %v", err)
	}
}

func TestPublish_reports_which_message_failed(t *testing.T) {
	s := newStore(t)
	p := publisher(t, s)
	big := make([]byte, eventstore.DefaultMaxEventBytes)
	err := p.Publish("orders", message.NewMessage("small", []byte("1")), message.NewMessage("big", big))
	if !errors.Is(err, eventstore.ErrInvalidInput) || !strings.Contains(err.Error(), `"big" (2 of 2)`) {
		t.Fatalf("err %v; want an input error naming message big", err)
	}
	if evs := topicEvents(t, s, "orders"); len(evs) != 1 {
		t.Errorf("%d events; the message before the failing one should be published", len(evs))
	}
}
