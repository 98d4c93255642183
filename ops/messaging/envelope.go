package messaging

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

// MessageEventType is the type of the events that Publisher appends: one per Watermill message.
const MessageEventType = "watermill.message"

// messageSchemaVersion is the schema version of MessageEventType's data (messageData).
const messageSchemaVersion = 1

// Metadata keys of messages made from events that were not published through a Publisher (the
// engine's domain events). The correlation ID uses Watermill's own key, so that
// middleware.CorrelationID carries it on to the messages a handler produces.
const (
	MetadataEventType     = "event_type"     // the event's registered wire name
	MetadataSchemaVersion = "schema_version" // the payload's schema version, decimal
	MetadataStream        = "stream"         // the stream the event belongs to
	MetadataStreamVersion = "stream_version" // the event's version in its stream, decimal
	MetadataPosition      = "position"       // the global position, as Position.String writes it
	MetadataRecordedAt    = "recorded_at"    // when the store recorded the event, RFC 3339 with nanoseconds, UTC
	MetadataTenant        = "tenant"         // eventstore.Metadata.Tenant
	MetadataActor         = "actor"          // eventstore.Metadata.Actor
	MetadataCorrelationID = middleware.CorrelationIDMetadataKey
	MetadataCausationID   = "causation_id" // eventstore.Metadata.CausationID
	MetadataCommandID     = "command_id"   // eventstore.Metadata.CommandID
	MetadataHash          = "hash"         // the event's chain hash, hexadecimal
)

// messageData is the JSON data of a MessageEventType event (schema version 1). The payload is kept
// as JSON when it is compact JSON already, so that it reads well in the log and comes back byte for
// byte; any other payload is kept in base64.
type messageData struct {
	UUID          string            `json:"uuid"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	Payload       json.RawMessage   `json:"payload,omitempty"`
	PayloadBase64 []byte            `json:"payload_base64,omitempty"`
}

// messageNamespace is the name space of the event IDs derived from topic and message UUID.
var messageNamespace = uuid.MustParse("8f1d3c52-6a0e-4f57-9b1e-2d6c1a0b7e94")

// messageEventID derives the event ID of a message published to topic: a name-based UUID (SHA-1)
// of the topic and the message's UUID. The same message published again to the same topic gets
// the same ID, so a retry is recognised; published to another topic (a poison queue, a forward) it
// gets another, since event IDs are unique across the whole log.
func messageEventID(topic, msgUUID string) uuid.UUID {
	return uuid.NewSHA1(messageNamespace, []byte(topic+"\x00"+msgUUID))
}

// messageStream is the stream a message of topic is appended to: one stream per message, named
// after its event ID, so that the topic is a category ("orders" → "orders-<id>").
func messageStream(topic string, id uuid.UUID) string {
	return eventstore.CategoryPrefix(topic) + id.String()
}

// encodeMessage turns a message into the event that Publisher appends.
func encodeMessage(topic string, msg *message.Message) (eventstore.EventData, error) {
	d := messageData{UUID: msg.UUID}
	if len(msg.Metadata) > 0 {
		d.Metadata = msg.Metadata
	}
	if isCompactJSON(msg.Payload) {
		d.Payload = json.RawMessage(msg.Payload)
	} else if len(msg.Payload) > 0 {
		d.PayloadBase64 = msg.Payload
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the payload's bytes
	if err := enc.Encode(d); err != nil {
		return eventstore.EventData{}, fmt.Errorf("messaging: encode message %q: %w", msg.UUID, err)
	}
	e := eventstore.EventData{
		ID:            messageEventID(topic, msg.UUID),
		Type:          MessageEventType,
		SchemaVersion: messageSchemaVersion,
		Data:          bytes.TrimSuffix(buf.Bytes(), []byte("\n")),
	}
	if c := middleware.MessageCorrelationID(msg); len(c) <= eventstore.MaxMetadataFieldLength && utf8.ValidString(c) {
		e.Metadata.CorrelationID = c // also in the envelope, for auditors reading the log
	}
	return e, nil
}

// isCompactJSON reports whether p is a JSON document without insignificant white space, which the
// store keeps unchanged.
func isCompactJSON(p []byte) bool {
	if len(p) == 0 || !utf8.Valid(p) || !json.Valid(p) {
		return false
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, p); err != nil {
		return false
	}
	return bytes.Equal(buf.Bytes(), p)
}

// isMessageOf reports whether e is a message published to topic: a MessageEventType event in the
// stream that Publisher names for topic and the event's ID. Topics may share a prefix ("a" and
// "a-b"); this tells them apart.
func isMessageOf(e eventstore.Event, topic string) bool {
	return e.Type == MessageEventType && e.Stream == messageStream(topic, e.ID)
}

// decodeMessage turns a recorded event into a message: a published message as it was published,
// any other event with its data as payload and its envelope as metadata.
func decodeMessage(e eventstore.Event) (*message.Message, error) {
	if e.Type != MessageEventType {
		return eventMessage(e), nil
	}
	if e.SchemaVersion != messageSchemaVersion {
		return nil, fmt.Errorf("messaging: event %s at position %s: %s schema version %d is unknown", e.ID, e.Position, MessageEventType, e.SchemaVersion)
	}
	var d messageData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return nil, fmt.Errorf("messaging: event %s at position %s: %w", e.ID, e.Position, err)
	}
	payload := message.Payload(d.Payload)
	if len(d.PayloadBase64) > 0 {
		payload = d.PayloadBase64
	}
	msg := message.NewMessage(d.UUID, payload)
	for k, v := range d.Metadata {
		msg.Metadata.Set(k, v)
	}
	return msg, nil
}

// eventMessage makes a message of an event appended by other means than a Publisher.
func eventMessage(e eventstore.Event) *message.Message {
	msg := message.NewMessage(e.ID.String(), message.Payload(e.Data))
	set := func(k, v string) {
		if v != "" {
			msg.Metadata.Set(k, v)
		}
	}
	set(MetadataEventType, e.Type)
	set(MetadataSchemaVersion, strconv.Itoa(e.SchemaVersion))
	set(MetadataStream, e.Stream)
	set(MetadataStreamVersion, strconv.FormatInt(e.Version, 10))
	set(MetadataPosition, e.Position.String())
	set(MetadataRecordedAt, e.RecordedAt.UTC().Format(time.RFC3339Nano))
	set(MetadataTenant, e.Metadata.Tenant)
	set(MetadataActor, e.Metadata.Actor)
	set(MetadataCorrelationID, e.Metadata.CorrelationID)
	set(MetadataCausationID, e.Metadata.CausationID)
	set(MetadataCommandID, e.Metadata.CommandID)
	set(MetadataHash, hex.EncodeToString(e.Hash[:]))
	return msg
}
