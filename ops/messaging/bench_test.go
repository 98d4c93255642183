package messaging_test

import (
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
)

// BenchmarkPublish measures one publisher appending one message at a time (one commit each).
func BenchmarkPublish(b *testing.B) {
	s := newStore(b)
	p := publisher(b, s)
	b.ResetTimer()
	for i := range b.N {
		if err := p.Publish("orders", message.NewMessage(fmt.Sprint(i), []byte(`{"order":1}`))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkSubscribe measures one subscription delivering and acknowledging messages, without a
// consumer group and with one (a durable checkpoint save per Ack).
func BenchmarkSubscribe(b *testing.B) {
	for _, group := range []string{"", "billing"} {
		b.Run(fmt.Sprintf("group=%q", group), func(b *testing.B) {
			s := newStore(b)
			p := publisher(b, s)
			msgs := make([]*message.Message, b.N)
			for i := range msgs {
				msgs[i] = message.NewMessage(fmt.Sprint(i), []byte(`{"order":1}`))
			}
			if err := p.Publish("orders", msgs...); err != nil {
				b.Fatal(err)
			}
			ch := subscribe(b, subscriber(b, s, group), "orders")
			b.ResetTimer()
			for range b.N {
				next(b, ch).Ack()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
