package metrics

import (
	"sort"

	"github.com/ThreeDotsLabs/watermill/components/metrics"
	"github.com/ThreeDotsLabs/watermill/message"
)

// The names of Watermill's router metrics as serve exports them (namespace civicflow, subsystem
// router). Their labels are bounded: handler_name, subscriber_name (a Go type name), publisher_name,
// success, acked.
const (
	NameRouterHandlerDuration     = "civicflow_router_handler_execution_time_seconds"
	NameRouterMessagesReceived    = "civicflow_router_subscriber_messages_received_total"
	NameRouterPublishDuration     = "civicflow_router_publish_time_seconds"
	routerNamespace, routerSubsys = "civicflow", "router"
)

// RouterNames returns the names of the router metrics a server with an instrumented router
// exports once its handlers have handled a message, sorted. The publish time appears only for
// handlers that publish, so it is not among them.
func RouterNames() []string {
	out := []string{NameRouterHandlerDuration, NameRouterMessagesReceived}
	sort.Strings(out)
	return out
}

// InstrumentRouter registers Watermill's Prometheus router metrics (handler execution time,
// messages received and acknowledged per subscriber, publish time) on the registry that Handler
// serves. Call it before adding the router's handlers, and once per Metrics.
func (m *Metrics) InstrumentRouter(r *message.Router) {
	metrics.NewPrometheusMetricsBuilder(m.registry, routerNamespace, routerSubsys).AddPrometheusRouterMetrics(r)
}
