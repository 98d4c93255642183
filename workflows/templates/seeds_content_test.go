package templates_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/templates"
)

// work is what a process records in one stage; counts add up over the whole process, as the gate
// facts do (participants, sessions, decisions, results and measures are process-wide).
type work struct {
	groups                            map[string]int64 // participants registered per stakeholder group
	formats                           map[string]int64 // sessions held per format
	contributions, decisions, results int64
	measures, measuresDone            int64            // measures defined, measures reported done
	adopted                           int64            // decisions a council adopted (counted as decisions too)
	shared                            map[string]int64 // the programme's shared sessions the site attended, per format
}

// seedCase describes one seed programme's template: the file, the ID, the least work per stage
// that passes every gate, and facts that show the content follows the seed text.
type seedCase struct {
	file, id  string
	programme string
	stages    []string
	work      map[string]work
	content   func(t *testing.T, tpl template.Template)
}

var seedCases = []seedCase{
	{
		file: "001_leipzig_kokreative_projektentwicklung.yaml", id: "leipzig-kokreative-projektentwicklung",
		stages: []string{"preparation", "training_series", "project_development", "presentation", "implementation"},
		work: map[string]work{
			"preparation":         {groups: map[string]int64{"administration": 3}},
			"training_series":     {formats: map[string]int64{"training": 6}, contributions: 1},
			"project_development": {groups: map[string]int64{"citizens": 1, "business": 1}, formats: map[string]int64{"consulting": 2}},
			"presentation":        {formats: map[string]int64{"information_event": 1}, decisions: 1, results: 1},
			"implementation":      {measures: 1, measuresDone: 1},
		},
		content: func(t *testing.T, tpl template.Template) {
			modules := []string{
				"Freiheit im Denken", "Ideenschmiede", "Die Stärke von Netzwerken",
				"Projekt- und Zeitmanagement in Netzwerken", "Erfolgreiche in-/externe Kommunikation",
				"Ergebnisse und wie weiter",
			}
			s, _ := tpl.Stage("training_series")
			var got []string
			for _, task := range s.Tasks {
				if strings.HasPrefix(task.Key, "module_") {
					got = append(got, task.Title.De)
					if !task.Required {
						t.Errorf("module %s is not required", task.Key)
					}
				}
			}
			if !slices.Equal(got, modules) {
				t.Errorf("training modules %q, want the six modules %q", got, modules)
			}
			mustHave(t, "formats", tpl.Formats, "training", "consulting")
			mustHave(t, "stakeholder groups", tpl.StakeholderGroups, "administration", "citizens", "politics", "business")
			mustMention(t, tpl, "4,5", "Lösungsteams", "Coachingpartner", "RISE Cities", "Personalamt")
		},
	},
	{
		file: "002_kokreative_kommune.yaml", id: "kokreative-kommune",
		stages: []string{"tender", "conception", "execution", "follow_up", "implementation"},
		work: map[string]work{
			"tender":     {groups: map[string]int64{"administration": 2}},
			"conception": {},
			"execution": {
				groups:        map[string]int64{"citizens": 11, "politics": 2},
				formats:       map[string]int64{"workshop": 1, "community_of_practice": 1},
				contributions: 1,
			},
			"follow_up":      {formats: map[string]int64{"community_of_practice": 1}, decisions: 1, results: 1},
			"implementation": {measures: 1, measuresDone: 1},
		},
		content: func(t *testing.T, tpl template.Template) {
			s, _ := tpl.Stage("conception")
			for _, structure := range []string{"Kultureller Wandel", "Raumstrukturen", "Prozessstrukturen", "Governancestrukturen"} {
				found := false
				for _, task := range s.Tasks {
					found = found || (strings.HasPrefix(task.Title.De, structure) && task.Required)
				}
				if !found {
					t.Errorf("conception has no required task for the structure %q", structure)
				}
			}
			mustHave(t, "formats", tpl.Formats, "community_of_practice", "training", "workshop")
			mustMention(t, tpl, "alle vier Wochen donnerstags", "16:30", "18:00", "Kernkompetenz")
		},
	},
	{
		file: "003_entwicklungswerkstatt_engagement.yaml", id: "ews-engagementstrategie", programme: "EWS Runde 3",
		stages: []string{"application", "conference", "workshop_series", "strategy_decision", "implementation"},
		work: map[string]work{
			"application": {groups: map[string]int64{"administration": 2}},
			"conference":  {shared: map[string]int64{"conference": 1}},
			"workshop_series": {
				groups:  map[string]int64{"civil_society": 1, "politics": 1},
				formats: map[string]int64{"consulting": 2}, shared: map[string]int64{"workshop": 4},
				contributions: 1,
			},
			"strategy_decision": {adopted: 1, results: 1},
			"implementation":    {measures: 1, measuresDone: 1},
		},
		content: func(t *testing.T, tpl template.Template) {
			mustHave(t, "formats", tpl.Formats, "conference", "workshop", "consulting", "peer_consulting")
			mustMention(t, tpl, "höchstens zehn Projektstandorte", "zweiköpfige", "ein Jahr", "Fachtagung",
				"Lernquellenpool", "zwischen den Workshops", "selbst bestimmen", "EWS Runde 3")
			i := slices.IndexFunc(tpl.Deadlines, func(d template.Deadline) bool { return d.Key == "round_duration" })
			if i < 0 || !strings.Contains(tpl.Deadlines[i].Title.De, "ein Jahr") || tpl.Deadlines[i].LegalBasis == "" {
				t.Error("no one-year round_duration deadline with a legal basis")
			}
		},
	},
	{
		file: "004_kommune_360.yaml", id: "kommune-360-ausschussarbeit",
		stages: []string{"mandate", "change_of_perspective", "goal_system", "committee_decision", "implementation"},
		work: map[string]work{
			"mandate":               {groups: map[string]int64{"administration": 1, "civil_society": 1, "politics": 1}},
			"change_of_perspective": {formats: map[string]int64{"planning_game": 1, "writing_workshop": 1}, contributions: 1},
			"goal_system":           {formats: map[string]int64{"workshop": 2}},
			"committee_decision":    {formats: map[string]int64{"committee_meeting": 1}, decisions: 1, results: 1},
			"implementation":        {formats: map[string]int64{"committee_meeting": 1}, measures: 1, measuresDone: 1},
		},
		content: func(t *testing.T, tpl template.Template) {
			mustHave(t, "formats", tpl.Formats, "planning_game", "writing_workshop", "committee_meeting")
			mustHave(t, "stakeholder groups", tpl.StakeholderGroups, "administration", "civil_society", "politics")
			mustMention(t, tpl, "Jugendhilfeausschuss", "wirkungsorientiertes Zielsystem", "freie Träger",
				"Planspiel", "Schreibwerkstatt", "Narrative", "SGB-VIII-Reform")
		},
	},
	{
		file: "005_gemeinsam_wirken.yaml", id: "gemeinsam-wirken",
		stages: []string{"partnership", "backbone", "common_agenda", "shared_measurement", "collective_action", "impact_review"},
		work: map[string]work{
			"partnership":        {groups: map[string]int64{"business": 1, "civil_society": 1, "administration": 1}},
			"backbone":           {},
			"common_agenda":      {formats: map[string]int64{"workshop": 1}, contributions: 1, decisions: 1},
			"shared_measurement": {formats: map[string]int64{"survey": 1}, results: 1},
			"collective_action":  {formats: map[string]int64{"workshop": 2}, measures: 2},
			"impact_review":      {results: 1, measuresDone: 2},
		},
		content: func(t *testing.T, tpl template.Template) {
			mustHave(t, "stakeholder groups", tpl.StakeholderGroups, "business", "civil_society", "administration")
			var titles []string
			for _, s := range tpl.Stages {
				titles = append(titles, s.Title.De)
				for _, task := range s.Tasks {
					titles = append(titles, task.Title.De)
				}
			}
			all := strings.Join(titles, "\n")
			for _, condition := range []string{
				"Gemeinsame Agenda", "Gemeinsames Wirkungsmonitoring", "Sich gegenseitig verstärkende Aktivitäten",
				"Kontinuierliche Kommunikation", "Backbone-Organisation",
			} {
				if !strings.Contains(all, condition) {
					t.Errorf("no stage or task title names the condition %q", condition)
				}
			}
			mustMention(t, tpl, "Collective Impact", "Unternehmen")
		},
	},
}

func TestSeedTemplates_follow_the_seed_texts(t *testing.T) {
	seeds, err := templates.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]byte{}
	for _, s := range seeds {
		byFile[s.File] = s.Data
	}
	for _, tc := range seedCases {
		t.Run(tc.file, func(t *testing.T) {
			data, ok := byFile[tc.file]
			if !ok {
				t.Fatalf("%s is not embedded", tc.file)
			}
			tpl, err := templates.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if tpl.ID != tc.id {
				t.Errorf("id %q, want %q", tpl.ID, tc.id)
			}
			var keys []string
			for _, s := range tpl.Stages {
				keys = append(keys, s.Key)
			}
			if !slices.Equal(keys, tc.stages) {
				t.Fatalf("stages %q, want %q", keys, tc.stages)
			}
			checkComplete(t, tpl)
			tc.content(t, tpl)
		})
	}
}

// lookup finds the formats and groups a gate expression asks for.
var lookup = regexp.MustCompile(`(by_format|by_group)\[\??"([a-z_]+)"\]`)

// checkComplete checks what the validator leaves open: every text in both languages, evidence
// for every task, a gate in every stage, formats and groups in gates that the template lists, a
// four-eyes approval by administrators, and a last stage that ends with finished measures.
func checkComplete(t *testing.T, tpl template.Template) {
	t.Helper()
	bilingual := func(where string, x template.Text) {
		if strings.TrimSpace(x.De) == "" || strings.TrimSpace(x.En) == "" {
			t.Errorf("%s needs de and en", where)
		}
	}
	bilingual("description", tpl.Description)
	approvals := 0
	for _, s := range tpl.Stages {
		bilingual(s.Key+".description", s.Description)
		if len(s.Gates) == 0 {
			t.Errorf("stage %s has no gate", s.Key)
		}
		if s.TargetDays <= 0 {
			t.Errorf("stage %s has no target_days", s.Key)
		}
		for _, task := range s.Tasks {
			bilingual(s.Key+"."+task.Key+".evidence", task.Evidence)
		}
		for _, a := range s.Approvals {
			if slices.Equal(a.Roles, []string{template.RoleAdministrator}) {
				approvals++
			}
		}
	}
	if approvals == 0 {
		t.Error("no approval granted by administrators")
	}
	last := tpl.Stages[len(tpl.Stages)-1]
	if !slices.ContainsFunc(last.Gates, func(g template.Gate) bool { return strings.Contains(g.Expr, "measures.done == measures.count") }) {
		t.Errorf("last stage %s has no gate on finished measures", last.Key)
	}
	for _, s := range tpl.Stages {
		for _, g := range s.Gates {
			for _, m := range lookup.FindAllStringSubmatch(g.Expr, -1) {
				list := tpl.Formats
				if m[1] == "by_group" {
					list = tpl.StakeholderGroups
				}
				if !slices.Contains(list, m[2]) {
					t.Errorf("stage %s, gate %s asks %s %q, which the template does not list", s.Key, g.Key, m[1], m[2])
				}
			}
		}
	}
	for _, d := range tpl.Deadlines {
		if d.LegalBasis == "" {
			t.Errorf("deadline %s has no legal basis", d.Key)
		}
	}
}

// TestSeedTemplates_gates_pass_with_the_least_work walks each template stage by stage with the
// work listed in seedCases: with it every gate holds, and with one item less some gate fails.
func TestSeedTemplates_gates_pass_with_the_least_work(t *testing.T) {
	g := gates(t)
	seeds, err := templates.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]byte{}
	for _, s := range seeds {
		byFile[s.File] = s.Data
	}
	now := time.Date(2025, 3, 6, 16, 30, 0, 0, time.UTC)
	for _, tc := range seedCases {
		t.Run(tc.file, func(t *testing.T) {
			tpl, err := templates.Parse(byFile[tc.file])
			if err != nil {
				t.Fatal(err)
			}
			var total work
			for _, s := range tpl.Stages {
				w, ok := tc.work[s.Key]
				if !ok {
					t.Fatalf("no work listed for stage %s", s.Key)
				}
				held := add(total, w)
				if unmet := unmetGates(t, g, s, facts(s, held, tc.programme, now)); len(unmet) > 0 {
					t.Fatalf("stage %s: gates %v not met with the listed work", s.Key, unmet)
				}
				for _, less := range oneLess(w) {
					if len(unmetGates(t, g, s, facts(s, add(total, less), tc.programme, now))) == 0 {
						t.Errorf("stage %s: gates hold with less work than listed (%+v): the list is not the least", s.Key, less)
					}
				}
				total = held
			}
		})
	}
}

func unmetGates(t *testing.T, g interface {
	Evaluate(string, process.GateFacts) (bool, error)
}, s template.Stage, f process.GateFacts) []string {
	t.Helper()
	var unmet []string
	for _, gate := range s.Gates {
		ok, err := g.Evaluate(gate.Expr, f)
		if err != nil {
			t.Fatalf("stage %s, gate %s: %v", s.Key, gate.Key, err)
		}
		if !ok {
			unmet = append(unmet, gate.Key)
		}
	}
	return unmet
}

// facts are the gate facts in stage s after the work w, with every required task done and every
// approval of the stage granted.
func facts(s template.Stage, w work, programme string, now time.Time) process.GateFacts {
	f := process.GateFacts{
		Participants:  process.ParticipantFacts{ByGroup: map[string]int64{}},
		Sessions:      process.SessionFacts{ByFormat: map[string]int64{}},
		Contributions: process.ContributionFacts{Count: w.contributions},
		Decisions:     process.CountFacts{Count: w.decisions + w.adopted},
		Decided:       process.DecidedFacts{AdoptedBy: map[string]int64{"council": w.adopted}, ByBody: map[string]int64{"council": w.adopted}},
		Results:       process.CountFacts{Count: w.results},
		Measures:      process.MeasureFacts{Count: w.measures, Done: w.measuresDone},
		Stage:         process.StageFacts{Key: s.Key, EnteredAt: now, Days: 0},
		Process:       process.ProcessFacts{OpenedAt: now, Programme: programme, Tenant: "t"},
		Now:           now,
		Programme:     process.NoProgramme(),
	}
	f.Programme.Member = programme != ""
	for k, n := range w.shared {
		f.Programme.AttendedByFormat[k], f.Programme.HeldByFormat[k] = n, n
		f.Programme.Attended += n
		f.Programme.Held += n
	}
	f.Tasks.RequiredDone = true
	for _, task := range s.Tasks {
		if task.Required {
			f.Tasks.Required++
			f.Tasks.Done++
			f.Tasks.Completed = append(f.Tasks.Completed, task.Key)
		}
	}
	for g, n := range w.groups {
		if n > 0 {
			f.Participants.ByGroup[g] = n
			f.Participants.Count += n
		}
	}
	f.Participants.Groups = int64(len(f.Participants.ByGroup))
	for k, n := range w.formats {
		if n > 0 {
			f.Sessions.ByFormat[k] = n
			f.Sessions.Held += n
			f.Sessions.Scheduled += n
		}
	}
	for _, a := range s.Approvals {
		f.Approvals.Granted = append(f.Approvals.Granted, a.Key)
	}
	return f
}

func add(a, b work) work {
	out := work{
		groups: map[string]int64{}, formats: map[string]int64{}, shared: map[string]int64{},
		contributions: a.contributions + b.contributions, decisions: a.decisions + b.decisions,
		results: a.results + b.results, measures: a.measures + b.measures,
		measuresDone: a.measuresDone + b.measuresDone, adopted: a.adopted + b.adopted,
	}
	for _, m := range []map[string]int64{a.groups, b.groups} {
		for k, n := range m {
			out.groups[k] += n
		}
	}
	for _, m := range []map[string]int64{a.formats, b.formats} {
		for k, n := range m {
			out.formats[k] += n
		}
	}
	for _, m := range []map[string]int64{a.shared, b.shared} {
		for k, n := range m {
			out.shared[k] += n
		}
	}
	return out
}

// oneLess returns w with one item fewer, once for every kind of item w has.
func oneLess(w work) []work {
	var out []work
	for k := range w.groups {
		x := add(work{}, w)
		x.groups[k]--
		out = append(out, x)
	}
	for k := range w.formats {
		x := add(work{}, w)
		x.formats[k]--
		out = append(out, x)
	}
	for k := range w.shared {
		x := add(work{}, w)
		x.shared[k]--
		out = append(out, x)
	}
	for _, dec := range []func(*work) *int64{
		func(x *work) *int64 { return &x.contributions }, func(x *work) *int64 { return &x.decisions },
		func(x *work) *int64 { return &x.results }, func(x *work) *int64 { return &x.measures },
		func(x *work) *int64 { return &x.measuresDone }, func(x *work) *int64 { return &x.adopted },
	} {
		if *dec(&w) > 0 {
			x := add(work{}, w)
			*dec(&x)--
			out = append(out, x)
		}
	}
	return out
}

func mustHave(t *testing.T, what string, list []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(list, w) {
			t.Errorf("%s %q lack %q", what, list, w)
		}
	}
}

// mustMention checks that the German texts of the template (title, descriptions, task titles and
// evidence) mention every phrase.
func mustMention(t *testing.T, tpl template.Template, phrases ...string) {
	t.Helper()
	texts := []string{tpl.Title.De, tpl.Description.De}
	for _, s := range tpl.Stages {
		texts = append(texts, s.Title.De, s.Description.De)
		for _, task := range s.Tasks {
			texts = append(texts, task.Title.De, task.Evidence.De)
		}
		for _, g := range s.Gates {
			texts = append(texts, g.Title.De)
		}
	}
	all := strings.Join(texts, "\n")
	for _, p := range phrases {
		if !strings.Contains(all, p) {
			t.Errorf("the German texts do not mention %q", p)
		}
	}
}
