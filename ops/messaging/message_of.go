package messaging

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// MessageOf turns a recorded event back into the message a subscriber delivers: a published
// message (MessageEventType, e.g. a poisoned one) as it was published, any other event with its
// data as payload and its envelope as metadata.
func MessageOf(e eventstore.Event) (*message.Message, error) { return decodeMessage(e) }
