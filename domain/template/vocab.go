package template

// Roles of users. Administrators define templates and may act on every process of their tenant
// (installation administrators on every tenant); leads open and advance processes; members do the
// work; auditors and viewers only read. Coordinators run programmes (domain/programme) of their
// tenant: they see each member process's stage and figures, never personal data.
const (
	RoleAdministrator = "administrator"
	RoleLead          = "lead"
	RoleMember        = "member"
	RoleAuditor       = "auditor"
	RoleViewer        = "viewer"
	RoleCoordinator   = "coordinator"
)

// Roles lists every role.
var Roles = []string{RoleAdministrator, RoleLead, RoleMember, RoleAuditor, RoleViewer, RoleCoordinator}

// Groups are the stakeholder groups (Akteursgruppen) with their German and English names.
var Groups = map[string]Text{
	"citizens":       {De: "Bürgerinnen und Bürger", En: "citizens"},
	"politics":       {De: "Politik", En: "politics"},
	"business":       {De: "Wirtschaft", En: "business"},
	"civil_society":  {De: "Zivilgesellschaft und freie Träger", En: "civil society and independent providers"},
	"administration": {De: "Verwaltung", En: "administration"},
	"science":        {De: "Wissenschaft", En: "science"},
	"youth":          {De: "Kinder und Jugendliche", En: "children and young people"},
}

// Formats are the formats and methods of sessions with their German and English names.
var Formats = map[string]Text{
	"workshop":              {De: "Workshop", En: "workshop"},
	"planning_game":         {De: "Planspiel", En: "planning game"},
	"citizen_council":       {De: "Bürgerrat", En: "citizen council"},
	"online_dialogue":       {De: "Online-Dialog", En: "online dialogue"},
	"survey":                {De: "Befragung", En: "survey"},
	"conference":            {De: "Fachtagung", En: "conference"},
	"peer_consulting":       {De: "Kollegiale Beratung", En: "peer consulting"},
	"community_of_practice": {De: "Community of Practice", En: "community of practice"},
	"training":              {De: "Training / Modul", En: "training module"},
	"writing_workshop":      {De: "Schreibwerkstatt", En: "writing workshop"},
	"committee_meeting":     {De: "Ausschusssitzung", En: "committee meeting"},
	"consulting":            {De: "Beratung", En: "consulting"},
	"information_event":     {De: "Informationsveranstaltung", En: "information event"},
}

// DecisionModels are the ways a decision can be taken.
var DecisionModels = map[string]Text{
	"consensus":          {De: "Konsens", En: "consensus"},
	"consent":            {De: "Konsent", En: "consent"},
	"majority":           {De: "Mehrheitsentscheid", En: "majority vote"},
	"council_resolution": {De: "Ratsbeschluss", En: "council resolution"},
}
