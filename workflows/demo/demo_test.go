package demo_test

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/demo"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type harness struct {
	t      *testing.T
	ctx    context.Context
	store  *sqlite.Store
	engine *engine.Engine
	clock  *clock
}

// newHarness opens a store and an engine on a clock at Monday, 6 January 2025, 09:00 German time.
func newHarness(t *testing.T) *harness {
	t.Helper()
	c := &clock{now: time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)}
	store, err := sqlite.New(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "civicflow.db"), Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	g, err := gate.New()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: store, Vault: store.Vault(), Gates: g, Clock: c.Now, Snapshots: store.Snapshots()})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, ctx: context.Background(), store: store, engine: eng, clock: c}
}

// events reads the whole log.
func (h *harness) events() []eventstore.Event {
	h.t.Helper()
	var all []eventstore.Event
	after := eventstore.Start
	for {
		page, err := h.store.ReadAll(h.ctx, eventstore.ReadAllOptions{After: after, Limit: 1000})
		if err != nil {
			h.t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 1000 {
			return all
		}
		after = page[len(page)-1].Position
	}
}

// processes loads every process in the store, as the installation administrator sees it.
func (h *harness) processes() []*process.Process {
	h.t.Helper()
	admin := process.Actor{User: "root", Tenant: demo.Installation, Role: template.RoleAdministrator, Installation: true}
	var out []*process.Process
	for _, ev := range h.events() {
		if ev.Type != "process.opened" {
			continue
		}
		p, err := h.engine.Load(h.ctx, admin, uuid.MustParse(strings.TrimPrefix(ev.Stream, "process-")))
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func (h *harness) load(advance func(time.Duration)) demo.Summary {
	h.t.Helper()
	sum, err := demo.Load(h.ctx, h.engine, h.clock.Now, advance)
	if err != nil {
		h.t.Fatal(err)
	}
	return sum
}

// checkAgainstStore checks that the summary tells what the store holds; the store held before
// events before the Load.
func checkAgainstStore(t *testing.T, h *harness, sum demo.Summary, before int) {
	t.Helper()
	events := h.events()
	if sum.Events != len(events)-before {
		t.Errorf("summary counts %d events, the Load wrote %d", sum.Events, len(events)-before)
	}
	published := 0
	for _, ev := range events {
		if ev.Type == template.TypePublished {
			published++
		}
	}
	byStage, byStatus, byTemplate := map[string]int{}, map[string]int{}, map[string]int{}
	procs := h.processes()
	for _, p := range procs {
		byStatus[string(p.Status)]++
		byTemplate[p.TemplateID]++
		if p.Status == process.StatusActive || p.Status == process.StatusSuspended {
			byStage[p.Stage]++
		}
	}
	if sum.Templates != published || sum.Processes != len(procs) || !maps.Equal(sum.ByStage, byStage) ||
		!maps.Equal(sum.ByStatus, byStatus) || !maps.Equal(sum.ByTemplate, byTemplate) {
		t.Errorf("summary %+v, the store holds %d templates, %d processes, stages %v, statuses %v, templates %v",
			sum, published, len(procs), byStage, byStatus, byTemplate)
	}
	if err := h.store.Verify(h.ctx); err != nil {
		t.Fatal(err)
	}
}

// checkReloadWritesNothing loads again (with and without advance) and expects no new event.
func checkReloadWritesNothing(t *testing.T, h *harness, first demo.Summary) {
	t.Helper()
	before := len(h.events())
	for _, advance := range []func(time.Duration){h.clock.Advance, nil} {
		start := h.clock.Now()
		again := h.load(advance)
		if n := len(h.events()); n != before {
			t.Fatalf("a second Load wrote %d events", n-before)
		}
		if want := start.Add(demo.Span); advance != nil && !h.clock.Now().Equal(want) {
			t.Errorf("a second Load left the clock at %v, want %v", h.clock.Now(), want)
		}
		want := first
		want.Events = 0
		if again.Events != 0 || again.Processes != want.Processes || again.Templates != want.Templates || !maps.Equal(again.ByStage, want.ByStage) {
			t.Fatalf("a second Load reports %+v, want %+v", again, want)
		}
	}
}

// documented is the demo as the package documentation describes it, written with a settable clock.
var documented = demo.Summary{Templates: 7, Processes: 27,
	ByStage: map[string]int{"tender": 2, "conception": 2, "execution": 3, "follow_up": 2, "implementation": 3,
		"project_development": 1, "application": 1, "conference": 1, "workshop_series": 4, "strategy_decision": 2, "goal_system": 1,
		"collective_action": 1, "republication": 1},
	ByStatus: map[string]int{"active": 21, "suspended": 3, "completed": 2, "cancelled": 1},
}

// documentedWithoutClock is the demo written without advance: the default template's
// processes stay in their first stage.
var documentedWithoutClock = demo.Summary{Templates: 7, Processes: 27,
	ByStage: map[string]int{"tender": 11, "execution": 1, "implementation": 1,
		"project_development": 1, "application": 1, "conference": 1, "workshop_series": 4, "strategy_decision": 2, "goal_system": 1,
		"collective_action": 1, "draft": 1},
	ByStatus: map[string]int{"active": 24, "suspended": 1, "completed": 1, "cancelled": 1},
}

func checkDocumented(t *testing.T, sum, want demo.Summary) {
	t.Helper()
	if sum.Templates != want.Templates || sum.Processes != want.Processes || !maps.Equal(sum.ByStage, want.ByStage) || !maps.Equal(sum.ByStatus, want.ByStatus) {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
}

// checkActors checks that every event was written by a demo user of its tenant, templates by
// the installation administrator, and approvals by an administrator who does not lead the process.
func checkActors(t *testing.T, h *harness) {
	t.Helper()
	users := map[string]demo.User{}
	for _, u := range demo.Users() {
		users[u.User] = u
	}
	leads := map[string]string{}
	for _, ev := range h.events() {
		u, ok := users[ev.Metadata.Actor]
		switch {
		case !ok || u.Tenant != ev.Metadata.Tenant:
			t.Fatalf("%s %s by %q of tenant %q, not a demo user of that tenant", ev.Stream, ev.Type, ev.Metadata.Actor, ev.Metadata.Tenant)
		case ev.Type == "process.opened":
			leads[ev.Stream] = u.User
		case ev.Type == "process.approval_granted" && (u.Role != template.RoleAdministrator || u.User == leads[ev.Stream]):
			t.Fatalf("%s: approval by %+v, lead %s", ev.Stream, u, leads[ev.Stream])
		}
	}
}

var defaultStages = []string{"tender", "conception", "execution", "follow_up", "implementation"}

func TestLoad_with_a_settable_clock_writes_the_documented_demo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	start := h.clock.Now()
	sum := h.load(h.clock.Advance)
	if got := h.clock.Now(); !got.Equal(start.Add(demo.Span)) {
		t.Errorf("Load left the clock at %v, want %v", got, start.Add(demo.Span))
	}
	checkDocumented(t, sum, documented)
	checkAgainstStore(t, h, sum, 0)

	open := map[string]int{}
	for _, p := range h.processes() {
		if p.TemplateID == "beteiligung-standard" && p.Status != process.StatusCompleted && p.Status != process.StatusCancelled {
			open[p.Stage]++
		}
	}
	for _, stage := range defaultStages {
		if open[stage] < 2 {
			t.Errorf("%d open processes of the default template in stage %s, want at least 2", open[stage], stage)
		}
	}
	checkActors(t, h)
	if len(sum.ByTemplate) != 7 {
		t.Errorf("processes on %d templates, want all 7: %v", len(sum.ByTemplate), sum.ByTemplate)
	}
	checkReloadWritesNothing(t, h, sum)
}

// The Load without advance is interrupted early and completed by a second Load: both together
// must give the documented demo, and the clock never moves.
func TestLoad_without_advance_resumes_after_an_interruption_and_keeps_the_default_processes_in_tender(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	start := h.clock.Now()
	ctx, cancel := context.WithCancel(h.ctx)
	calls := 0
	interrupting := func() time.Time {
		if calls++; calls == 100 {
			cancel()
		}
		return h.clock.Now()
	}
	if _, err := demo.Load(ctx, h.engine, interrupting, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Load returned %v, want context.Canceled", err)
	}
	before := len(h.events())
	if before == 0 {
		t.Fatal("the interrupted Load wrote nothing")
	}
	sum := h.load(nil)
	if !h.clock.Now().Equal(start) {
		t.Errorf("the clock moved without advance")
	}
	checkDocumented(t, sum, documentedWithoutClock)
	checkAgainstStore(t, h, sum, before)
	for _, p := range h.processes() {
		if p.TemplateID == "beteiligung-standard" && p.Stage != "tender" {
			t.Errorf("%q is in stage %s without time passing", p.Title, p.Stage)
		}
	}
	checkReloadWritesNothing(t, h, sum)
}

func TestUsers_give_every_tenant_each_role_once(t *testing.T) {
	t.Parallel()
	tenantKey := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	roles := map[string][]string{}
	logins := map[string]bool{}
	for _, u := range demo.Users() {
		if logins[u.User] || u.Name == "" || !slices.Contains(template.Roles, u.Role) {
			t.Errorf("bad or repeated user %+v", u)
		}
		logins[u.User] = true
		roles[u.Tenant] = append(roles[u.Tenant], u.Role)
	}
	if got := roles[demo.Installation]; !slices.Equal(got, []string{template.RoleAdministrator}) {
		t.Errorf("installation roles %v, want one administrator", got)
	}
	tenants := demo.Tenants()
	if len(tenants) != 12 || len(roles) != 13 {
		t.Errorf("%d tenants, users in %d tenants", len(tenants), len(roles))
	}
	staffRoles := slices.DeleteFunc(slices.Clone(template.Roles), func(r string) bool { return r == template.RoleCoordinator })
	for _, tn := range tenants {
		if !tenantKey.MatchString(tn.Key) || tn.Name == "" {
			t.Errorf("bad tenant %+v", tn)
		}
		want := slices.Sorted(slices.Values(staffRoles))
		if tn.Key == "ksi" { // the programme's coordinating organisation
			want = []string{template.RoleAdministrator, template.RoleCoordinator}
		}
		if got := slices.Sorted(slices.Values(roles[tn.Key])); !slices.Equal(got, want) {
			t.Errorf("tenant %s has roles %v, want %v", tn.Key, got, want)
		}
	}
}

func TestLoad_names_the_process_and_step_of_a_refused_command(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	admin := process.Actor{User: "ralf.bergmann", Tenant: demo.Installation, Role: template.RoleAdministrator, Installation: true}
	if _, err := h.engine.PublishSeeds(h.ctx, process.Meta{Actor: admin}); err != nil {
		t.Fatal(err)
	}
	// Someone took the command ID of the demo's first process for a process of another template.
	lead := process.Actor{User: "anna.schubert", Tenant: "leipzig", Role: template.RoleLead}
	if _, err := h.engine.Open(h.ctx, process.Meta{CommandID: "demo/01/open", Actor: lead},
		engine.OpenProcess{Template: "beteiligung-standard", Title: "Fremdes Verfahren"}); err != nil {
		t.Fatal(err)
	}
	_, err := demo.Load(h.ctx, h.engine, h.clock.Now, h.clock.Advance)
	if !errors.Is(err, process.ErrInvalid) || !strings.Contains(err.Error(), "process 1 ") || !strings.Contains(err.Error(), "step task-announce_series") {
		t.Fatalf("Load returned %v, want the refusal of process 1's step task-announce_series", err)
	}
}

// TestPersonalData_lists_the_demos_names_addresses_and_texts: what tests of personal-data-free
// outputs look for is really there.
func TestPersonalData_lists_the_demos_names_addresses_and_texts(t *testing.T) {
	all := demo.PersonalData()
	var mails, texts int
	for _, s := range all {
		switch {
		case strings.HasSuffix(s, "@example.org"):
			mails++
		case len(s) > 40:
			texts++
		}
	}
	if len(all) < 100 || mails < 20 || texts < 20 {
		t.Fatalf("%d entries, %d e-mail addresses, %d long texts: %q", len(all), mails, texts, all)
	}
}
